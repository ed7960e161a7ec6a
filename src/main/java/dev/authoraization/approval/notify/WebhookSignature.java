package dev.authoraization.approval.notify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies the engine's webhook deliveries, in the scheme Stripe and Slack use for theirs:
 * the signed content is {@code "<timestamp>.<body>"} (timestamp in Unix seconds, body as sent), the
 * MAC is HMAC-SHA256 (RFC 2104) keyed with the shared secret, sent as
 * {@code X-AuthorAIzation-Signature: v1=<lowercase hex>} next to
 * {@code X-AuthorAIzation-Timestamp: <timestamp>}. Binding the timestamp into the MAC lets a
 * receiver refuse replays outside a short window. The header may list several comma-separated
 * {@code v1=} values (secret rotation); one match is enough. See docs/notifications.md.
 */
public final class WebhookSignature {

  public static final String TIMESTAMP_HEADER = "X-AuthorAIzation-Timestamp";
  public static final String SIGNATURE_HEADER = "X-AuthorAIzation-Signature";
  public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

  private static final String SCHEME = "v1=";

  private WebhookSignature() {}

  /** The signature header value for a body sent at {@code timestamp} (Unix seconds). */
  public static String sign(String secret, long timestamp, String body) {
    return SCHEME + HexFormat.of().formatHex(mac(secret, timestamp + "." + body));
  }

  /** {@link #verify(String, String, String, String, Instant, Duration)} with a 5-minute window. */
  public static boolean verify(String secret, String timestamp, String body, String signatureHeader, Instant now) {
    return verify(secret, timestamp, body, signatureHeader, now, DEFAULT_TOLERANCE);
  }

  /**
   * True when the header carries a valid signature of exactly this body and timestamp, and the
   * timestamp lies within {@code tolerance} of {@code now} (either way: a clock ahead is as
   * suspicious as a replay). Compares in constant time.
   */
  public static boolean verify(String secret, String timestamp, String body, String signatureHeader, Instant now,
      Duration tolerance) {
    if (secret.isEmpty()) {
      return false; // an empty key authenticates nothing (and the JDK refuses to build one)
    }
    String stamp = timestamp.strip();
    long seconds;
    try {
      seconds = Long.parseLong(stamp);
    } catch (NumberFormatException e) {
      return false;
    }
    // compared without subtracting from the attacker's number: now − seconds can overflow, and
    // Math.abs(Long.MIN_VALUE) is negative, which would pass any window
    long window = tolerance.toSeconds();
    if (seconds < now.getEpochSecond() - window || seconds > now.getEpochSecond() + window) {
      return false;
    }
    byte[] expected = mac(secret, stamp + "." + body);
    boolean valid = false;
    for (String candidate : signatureHeader.split(",")) {
      String value = candidate.strip();
      if (!value.startsWith(SCHEME)) {
        continue;
      }
      byte[] given;
      try {
        given = HexFormat.of().parseHex(value.substring(SCHEME.length()));
      } catch (IllegalArgumentException notHex) {
        continue;
      }
      // no early exit: every candidate is compared, each in constant time
      valid |= MessageDigest.isEqual(expected, given);
    }
    return valid;
  }

  private static byte[] mac(String secret, String content) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(content.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JVM has HmacSHA256", e);
    }
  }
}
