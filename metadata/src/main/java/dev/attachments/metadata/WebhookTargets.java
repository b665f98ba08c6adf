package dev.attachments.metadata;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * Which URLs webhooks may be sent to: https only, and never to loopback, private, link-local or
 * otherwise internal addresses (no request forgery into our network), unless the dev-stack switch
 * allows both. Checked when an endpoint is registered and again before every delivery (DNS may have
 * changed).
 */
public final class WebhookTargets {
  private final boolean allowInternal;

  /**
   * @param allowInternal {@code ATTACHMENTS_WEBHOOKS_ALLOW_HTTP}: plain http and internal addresses
   *     too
   */
  public WebhookTargets(boolean allowInternal) {
    this.allowInternal = allowInternal;
  }

  /**
   * @throws IllegalArgumentException saying why the URL is refused
   */
  public URI check(String url) {
    URI uri;
    try {
      uri = URI.create(url.trim());
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("url is not a URL");
    }
    String scheme =
        uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!scheme.equals("https") && !(allowInternal && scheme.equals("http"))) {
      throw new IllegalArgumentException("url must be https");
    }
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      throw new IllegalArgumentException("url has no host");
    }
    if (uri.getUserInfo() != null) {
      throw new IllegalArgumentException("url must not carry credentials");
    }
    if (!allowInternal) {
      InetAddress[] addresses;
      try {
        addresses = InetAddress.getAllByName(uri.getHost());
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("url's host " + uri.getHost() + " does not resolve");
      }
      for (InetAddress address : addresses) {
        if (isInternal(address)) {
          throw new IllegalArgumentException(
              "url's host "
                  + uri.getHost()
                  + " resolves to "
                  + address.getHostAddress()
                  + ", a loopback, private or link-local address");
        }
      }
    }
    return uri;
  }

  static boolean isInternal(InetAddress address) {
    if (address.isLoopbackAddress()
        || address.isSiteLocalAddress()
        || address.isLinkLocalAddress()
        || address.isAnyLocalAddress()
        || address.isMulticastAddress()) {
      return true;
    }
    byte[] bytes = address.getAddress();
    if (bytes.length == 4) {
      int first = bytes[0] & 0xff;
      int second = bytes[1] & 0xff;
      // carrier-grade NAT 100.64/10, and 0/8
      return first == 0 || (first == 100 && second >= 64 && second <= 127);
    }
    // IPv6 unique local fc00::/7
    return (bytes[0] & 0xfe) == 0xfc;
  }
}
