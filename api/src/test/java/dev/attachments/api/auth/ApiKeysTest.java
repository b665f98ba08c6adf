package dev.attachments.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attachments.access.AccessKeys;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ApiKeysTest {
  private static final Clock DEC_1 =
      Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC);

  @Test
  void anOwnerHasSeveralKeysEachOpensItAndNothingElseDoes() {
    AccessKeys.Minted old = AccessKeys.mint("acme");
    AccessKeys.Minted rotated = AccessKeys.mint("acme");
    AccessKeys.Minted globex = AccessKeys.mint("globex");
    ApiKeys keys =
        ApiKeys.parse("K", old.entry() + "," + rotated.entry() + ", " + globex.entry(), DEC_1);

    assertThat(keys.ownerOf(old.key())).hasValue("acme");
    assertThat(keys.ownerOf(rotated.key())).hasValue("acme");
    assertThat(keys.ownerOf(globex.key())).hasValue("globex");
    String lastCharChanged =
        old.key().substring(0, old.key().length() - 1) + (old.key().endsWith("A") ? "B" : "A");
    assertThat(keys.ownerOf(lastCharChanged)).isEmpty();
    String otherSecretSameId = "att_" + old.id() + globex.key().substring(16);
    assertThat(keys.ownerOf(otherSecretSameId)).isEmpty();
    assertThat(keys.ownerOf(AccessKeys.mint("acme").key())).as("not configured").isEmpty();
  }

  @Test
  void aKeyWithoutTheStrengthOfAMintedOneNeverOpensEvenWhenItsDigestIsConfigured() {
    String weak = "att_0123456789ab_password";
    String entry =
        "acme:0123456789ab:" + HexFormat.of().formatHex(AccessKeys.digest(weak)) + ":2026-12-01";
    assertThat(ApiKeys.parse("K", entry, DEC_1).ownerOf(weak)).isEmpty();
  }

  @Test
  void aKeyStopsWorkingOnItsExpiryDay() {
    AccessKeys.Minted today = AccessKeys.mint("acme", LocalDate.parse("2026-12-01"));
    AccessKeys.Minted tomorrow = AccessKeys.mint("acme", LocalDate.parse("2026-12-02"));
    ApiKeys keys = ApiKeys.parse("K", today.entry() + "," + tomorrow.entry(), DEC_1);
    assertThat(keys.ownerOf(today.key())).isEmpty();
    assertThat(keys.ownerOf(tomorrow.key())).hasValue("acme");
  }

  @Test
  void aPlainKeyInTheSettingIsRefusedWithoutEchoingIt() {
    assertThatThrownBy(() -> ApiKeys.parse("ATTACHMENTS_API_KEYS", "acme:hunter2-secret", DEC_1))
        .hasMessageContaining("ATTACHMENTS_API_KEYS entry 1 of 1 is not owner:id:sha256")
        .hasMessageContaining("./run key OWNER")
        .hasMessageNotContaining("hunter2");
    AccessKeys.Minted minted = AccessKeys.mint("acme");
    assertThatThrownBy(() -> ApiKeys.parse("K", minted.entry() + "," + minted.entry(), DEC_1))
        .hasMessageContaining("entry 2 of 2 repeats key id " + minted.id());
    assertThatThrownBy(() -> ApiKeys.parse("K", minted.entry() + ":tomorrow", DEC_1))
        .hasMessageContaining("dates are YYYY-MM-DD");
  }

  @Test
  void aMintedKeyNeverShowsInItsToString() {
    AccessKeys.Minted minted = AccessKeys.mint("acme");
    assertThat(minted.toString()).doesNotContain(minted.key()).contains(minted.id());
  }
}
