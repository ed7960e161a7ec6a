package dev.authoraization.approval.passkey;

import dev.authoraization.approval.ApprovalRequest.Verdict;
import dev.authoraization.call.Fingerprint;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;

/**
 * The WebAuthn challenge of one decision: it commits the authenticator's signature to exactly one
 * verdict on one action of one request, at one page view.
 *
 * <pre>challenge = SHA-256( verdict ":" fingerprint ":" approval id ":" nonce )</pre>
 *
 * with {@code verdict} {@code approve} or {@code deny}, {@code fingerprint} the 64 lowercase hex
 * digits of {@link Fingerprint}, and {@code nonce} 32 random bytes (base64url) the server keeps in
 * the approver's session and uses once. The authenticator signs {@code authenticatorData ||
 * SHA-256(clientDataJSON)}, and clientDataJSON carries this challenge (WebAuthn Level 3, section
 * 5.8.1), so a stored assertion later proves which action it confirmed.
 */
public record ActionChallenge(Verdict verdict, Fingerprint fingerprint, String approvalId, String nonce) {

  private static final SecureRandom RANDOM = new SecureRandom();

  /** A fresh single-use nonce: 32 random bytes, base64url without padding. */
  public static String newNonce() {
    byte[] nonce = new byte[32];
    RANDOM.nextBytes(nonce);
    return base64url(nonce);
  }

  /** The text that is hashed, e.g. {@code approve:3f5a…:0b6c…:q1w2…}. */
  public String text() {
    return verdict.name().toLowerCase(Locale.ROOT) + ":" + fingerprint.hex() + ":" + approvalId + ":" + nonce;
  }

  public byte[] bytes() {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text().getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** As clientDataJSON carries it: base64url without padding. */
  public String base64url() {
    return base64url(bytes());
  }

  static String base64url(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
