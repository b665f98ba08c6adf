package dev.attachments.webhook;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Which URLs webhooks may be sent to: https only, and never to an address that is not on the public
 * internet (no request forgery into our network), unless the dev-stack switch allows both. The URL
 * is checked when an endpoint is registered; at each delivery its host is resolved once, by {@link
 * #addresses}, and the connection goes only to the addresses that check answered (no second lookup
 * that DNS could answer otherwise).
 */
public final class WebhookTargets {
  /** How host names become addresses: the system's resolver, or a test's. */
  public interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  /**
   * IANA's special-purpose ranges (RFC 6890 and successors) that a webhook must never reach:
   * nothing here is a public internet host. IPv6 forms that carry an IPv4 address (mapped,
   * compatible, NAT64, 6to4) are judged by the IPv4 address they carry.
   */
  private static final List<Range> NOT_PUBLIC =
      Stream.of(
              "0.0.0.0/8", // "this network"
              "10.0.0.0/8", // private
              "100.64.0.0/10", // carrier-grade NAT
              "127.0.0.0/8", // loopback
              "169.254.0.0/16", // link-local, cloud metadata services
              "172.16.0.0/12", // private
              "192.0.0.0/24", // IETF protocol assignments
              "192.0.2.0/24", // documentation
              "192.88.99.0/24", // 6to4 relay anycast
              "192.168.0.0/16", // private
              "198.18.0.0/15", // benchmarking
              "198.51.100.0/24", // documentation
              "203.0.113.0/24", // documentation
              "224.0.0.0/4", // multicast
              "240.0.0.0/4", // reserved, and broadcast
              "::/128", // unspecified
              "::1/128", // loopback
              "100::/64", // discard-only
              "2001::/32", // Teredo: tunnels to any IPv4 address
              "2001:db8::/32", // documentation
              "2001:10::/28", // ORCHID
              "2001:20::/28", // ORCHIDv2
              "fc00::/7", // unique local
              "fe80::/10", // link-local
              "fec0::/10", // site-local (deprecated)
              "ff00::/8") // multicast
          .map(Range::parse)
          .toList();

  private final boolean allowInternal;
  private final Resolver resolver;

  /**
   * @param allowInternal {@code ATTACHMENTS_WEBHOOKS_ALLOW_HTTP}: plain http and internal addresses
   *     too
   */
  public WebhookTargets(boolean allowInternal) {
    this(allowInternal, InetAddress::getAllByName);
  }

  public WebhookTargets(boolean allowInternal, Resolver resolver) {
    this.allowInternal = allowInternal;
    this.resolver = resolver;
  }

  /**
   * Checks the URL and that its host resolves, now, to public addresses only.
   *
   * @throws IllegalArgumentException saying why the URL is refused
   */
  public URI check(String url) {
    URI uri = parse(url);
    addresses(uri.getHost());
    return uri;
  }

  /**
   * Resolves the host once and answers its addresses if every one of them is public (all of them
   * when internal addresses are allowed): the only addresses a delivery may connect to.
   *
   * @throws IllegalArgumentException saying why the host is refused
   */
  public InetAddress[] addresses(String host) {
    InetAddress[] addresses;
    try {
      addresses = resolver.resolve(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("url's host " + host + " does not resolve");
    }
    if (addresses == null || addresses.length == 0) {
      throw new IllegalArgumentException("url's host " + host + " does not resolve");
    }
    if (!allowInternal) {
      for (InetAddress address : addresses) {
        if (isInternal(address)) {
          throw new IllegalArgumentException(
              "url's host "
                  + host
                  + " resolves to "
                  + address.getHostAddress()
                  + ", which is not a public internet address");
        }
      }
    }
    return addresses.clone();
  }

  /**
   * The URL's form alone: scheme, host, no credentials.
   *
   * @throws IllegalArgumentException saying why the URL is refused
   */
  public URI parse(String url) {
    URI uri;
    try {
      uri = URI.create(url.trim());
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("url is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !(allowInternal && scheme.equals("http"))) {
      throw new IllegalArgumentException("url must be https");
    }
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      throw new IllegalArgumentException("url has no host");
    }
    if (uri.getUserInfo() != null) {
      throw new IllegalArgumentException("url must not carry credentials");
    }
    return uri;
  }

  /** Whether the address is anything but a public internet host. */
  public static boolean isInternal(InetAddress address) {
    byte[] bytes = address.getAddress();
    byte[] carried = carriedIpv4(bytes);
    if (carried != null) {
      bytes = carried;
    }
    for (Range range : NOT_PUBLIC) {
      if (range.contains(bytes)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The IPv4 address an IPv6 one carries: IPv4-mapped {@code ::ffff:a.b.c.d}, IPv4-compatible
   * {@code ::a.b.c.d}, NAT64 {@code 64:ff9b::a.b.c.d} and {@code 64:ff9b:1::/48}, 6to4 {@code
   * 2002:aabb:ccdd::}; null for any other.
   */
  static byte[] carriedIpv4(byte[] ipv6) {
    if (ipv6.length != 16) {
      return null;
    }
    boolean firstTenZero = Arrays.equals(ipv6, 0, 10, new byte[10], 0, 10);
    if (firstTenZero && ipv6[10] == (byte) 0xff && ipv6[11] == (byte) 0xff) {
      return Arrays.copyOfRange(ipv6, 12, 16);
    }
    if (firstTenZero && ipv6[10] == 0 && ipv6[11] == 0 && !isZeroOrOne(ipv6)) {
      return Arrays.copyOfRange(ipv6, 12, 16);
    }
    if (ipv6[0] == 0 && ipv6[1] == 0x64 && ipv6[2] == (byte) 0xff && ipv6[3] == (byte) 0x9b) {
      return Arrays.copyOfRange(ipv6, 12, 16); // 64:ff9b::/96 and the local-use 64:ff9b:1::/48
    }
    if (ipv6[0] == 0x20 && ipv6[1] == 0x02) {
      return Arrays.copyOfRange(ipv6, 2, 6);
    }
    return null;
  }

  /** {@code ::} and {@code ::1} are themselves, not IPv4-compatible addresses. */
  private static boolean isZeroOrOne(byte[] ipv6) {
    return Arrays.equals(ipv6, 0, 15, new byte[15], 0, 15) && (ipv6[15] == 0 || ipv6[15] == 1);
  }

  /** An address range in CIDR notation. */
  private record Range(byte[] network, int prefix) {
    static Range parse(String cidr) {
      String[] parts = cidr.split("/");
      try {
        return new Range(InetAddress.getByName(parts[0]).getAddress(), Integer.parseInt(parts[1]));
      } catch (UnknownHostException e) {
        throw new IllegalStateException(cidr, e);
      }
    }

    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int whole = prefix / 8;
      if (!Arrays.equals(address, 0, whole, network, 0, whole)) {
        return false;
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[whole] & mask) == (network[whole] & mask);
    }
  }
}
