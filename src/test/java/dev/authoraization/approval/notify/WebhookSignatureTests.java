package dev.authoraization.approval.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class WebhookSignatureTests {

  private static final String BODY = "{\"event\":\"approval.requested\"}";
  private static final long STAMP = 1767225600L;
  private static final Instant AT_STAMP = Instant.ofEpochSecond(STAMP);

  private final String secret = randomSecret();

  @Test
  void signatureMatchesOpensslForTheDocumentedScheme() {
    // printf '%s' '1767225600.{"event":"approval.requested"}' \
    //   | openssl dgst -sha256 -hmac 'test-vector-key-not-a-secret-0123' -hex
    assertThat(WebhookSignature.sign("test-vector-key-not-a-secret-0123", STAMP, BODY))
        .isEqualTo("v1=8610d1ea8e559ac6f6812e7b45596c4a236e21c7db1341265f3839a26c958314");
  }

  @Test
  void verifyWhenBodyAndTimestampAreAsSignedThenAccepts() {
    String header = WebhookSignature.sign(secret, STAMP, BODY);

    assertThat(WebhookSignature.verify(secret, "1767225600", BODY, header, AT_STAMP.plusSeconds(30))).isTrue();
  }

  @Test
  void verifyWhenBodyTamperedThenRefuses() {
    String header = WebhookSignature.sign(secret, STAMP, BODY);

    assertThat(WebhookSignature.verify(secret, "1767225600", BODY.replace("requested", "approved"), header,
        AT_STAMP)).isFalse();
  }

  @Test
  void verifyWhenTimestampChangedThenRefuses() {
    String header = WebhookSignature.sign(secret, STAMP, BODY);

    assertThat(WebhookSignature.verify(secret, "1767225601", BODY, header, AT_STAMP)).isFalse();
  }

  @Test
  void verifyWhenReplayedAfterTheWindowThenRefuses() {
    String header = WebhookSignature.sign(secret, STAMP, BODY);

    assertThat(WebhookSignature.verify(secret, "1767225600", BODY, header, AT_STAMP.plus(Duration.ofMinutes(5))))
        .isTrue();
    assertThat(WebhookSignature.verify(secret, "1767225600", BODY, header,
        AT_STAMP.plus(Duration.ofMinutes(5)).plusSeconds(1))).isFalse();
  }

  @Test
  void verifyWhenTimestampFarInTheFutureThenRefuses() {
    String header = WebhookSignature.sign(secret, STAMP, BODY);

    assertThat(WebhookSignature.verify(secret, "1767225600", BODY, header, AT_STAMP.minus(Duration.ofMinutes(6))))
        .isFalse();
  }

  @Test
  void verifyWhenSignedWithAnotherSecretThenRefuses() {
    String header = WebhookSignature.sign(randomSecret(), STAMP, BODY);

    assertThat(WebhookSignature.verify(secret, "1767225600", BODY, header, AT_STAMP)).isFalse();
  }

  @Test
  void verifyWhenHeaderMalformedThenRefusesWithoutThrowing() {
    assertThat(WebhookSignature.verify(secret, "1767225600", BODY, "", AT_STAMP)).isFalse();
    assertThat(WebhookSignature.verify(secret, "1767225600", BODY, "v1=zz", AT_STAMP)).isFalse();
    assertThat(WebhookSignature.verify(secret, "1767225600", BODY, "v0=" + "00".repeat(32), AT_STAMP)).isFalse();
    assertThat(WebhookSignature.verify(secret, "yesterday", BODY, WebhookSignature.sign(secret, STAMP, BODY),
        AT_STAMP)).isFalse();
  }

  @Test
  void verifyWhenOneOfSeveralSignaturesMatchesThenAccepts() {
    String rotated = WebhookSignature.sign(randomSecret(), STAMP, BODY) + ", "
        + WebhookSignature.sign(secret, STAMP, BODY);

    assertThat(WebhookSignature.verify(secret, "1767225600", BODY, rotated, AT_STAMP)).isTrue();
  }

  static String randomSecret() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
