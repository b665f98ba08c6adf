package dev.attachments.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WebhookTargetsTest {

  private static InetAddress literal(String address) {
    try {
      return InetAddress.getByName(address); // a literal: no DNS
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(address, e);
    }
  }

  @Test
  void everyAddressThatIsNotAPublicHostIsInternalHoweverItIsWritten() {
    String[] inward = {
      "127.0.0.1",
      "10.1.2.3",
      "172.31.255.255",
      "192.168.0.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "192.0.0.170",
      "198.18.0.1",
      "224.0.0.1",
      "240.0.0.1",
      "255.255.255.255",
      "::1",
      "::",
      "fd00::1",
      "fe80::1",
      "fec0::1",
      "ff02::1",
      "2001:db8::1",
      // IPv6 that carries an inward IPv4 address
      "::ffff:127.0.0.1",
      "::ffff:169.254.169.254",
      "::127.0.0.1",
      "64:ff9b::7f00:1",
      "64:ff9b:1::a9fe:a9fe",
      "2002:7f00:1::",
      "2002:a9fe:a9fe::1",
      "2002:c0a8:1::",
      // Teredo tunnels to any IPv4 address
      "2001:0:4136:e378:8000:63bf:3fff:fdd2"
    };
    for (String address : inward) {
      assertThat(WebhookTargets.isInternal(literal(address))).as(address).isTrue();
    }
  }

  @Test
  void publicAddressesAreNotInternalInAnyOfTheirForms() {
    String[] outward = {
      "8.8.8.8",
      "1.1.1.1",
      "93.184.215.14",
      "2606:4700:4700::1111",
      "2a00:1450:4001::200e",
      "64:ff9b::808:808",
      "2002:808:808::",
      "::ffff:8.8.8.8"
    };
    for (String address : outward) {
      assertThat(WebhookTargets.isInternal(literal(address))).as(address).isFalse();
    }
  }

  @Test
  void aHostWithOneInwardAddressAmongPublicOnesIsRefusedNamingIt() {
    WebhookTargets targets =
        new WebhookTargets(
            false, host -> new InetAddress[] {literal("8.8.8.8"), literal("64:ff9b::a00:1")});
    assertThatThrownBy(() -> targets.check("https://hooks.example.com/in"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("64:ff9b:0:0:0:0:a00:1")
        .hasMessageContaining("not a public internet address");
  }

  @Test
  void eachCheckResolvesOnceAndAnswersWhatItChecked() {
    AtomicInteger lookups = new AtomicInteger();
    WebhookTargets targets =
        new WebhookTargets(
            false,
            host ->
                lookups.incrementAndGet() == 1
                    ? new InetAddress[] {literal("8.8.8.8")}
                    : new InetAddress[] {literal("127.0.0.1")});
    assertThat(targets.addresses("hooks.example.com")).containsExactly(literal("8.8.8.8"));
    assertThat(lookups).hasValue(1);
    assertThatThrownBy(() -> targets.addresses("hooks.example.com"))
        .as("a rebinding answer is refused, not connected to")
        .hasMessageContaining("127.0.0.1");
  }
}
