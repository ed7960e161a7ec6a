package dev.authoraization.approval.passkey;

import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.data.attestation.authenticator.COSEKey;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks a passkey decision kept in the audit log (the vote's {@code evidence.details}) again,
 * without trusting the engine that stored it: the challenge is the SHA-256 of the stored
 * challenge text ({@link ActionChallenge}), clientDataJSON is a {@code webauthn.get} carrying that
 * challenge, and the signature over {@code authenticatorData || SHA-256(clientDataJSON)} verifies
 * with the stored public key (WebAuthn Level 3, section 7.2, steps 11-12 and 21).
 */
public final class StoredAssertion {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private StoredAssertion() {}

  /** Empty when the evidence holds; otherwise why it does not. */
  public static Optional<String> problem(JsonNode details) {
    try {
      Base64.Decoder b64 = Base64.getUrlDecoder();
      byte[] challenge = sha256(details.path("challenge_text").asString().getBytes(StandardCharsets.UTF_8));
      if (!Base64.getUrlEncoder().withoutPadding().encodeToString(challenge).equals(details.path("challenge").asString())) {
        return Optional.of("the challenge is not the SHA-256 of the challenge text");
      }
      String verdict = details.path("challenge_text").asString().split(":", 2)[0];
      if (!verdict.equals(details.path("verdict").asString())) {
        return Optional.of("the challenge text names another verdict");
      }
      byte[] clientDataJson = b64.decode(details.path("client_data_json").asString());
      JsonNode clientData = JSON.readTree(clientDataJson);
      if (!clientData.path("type").asString().equals("webauthn.get")
          || !clientData.path("challenge").asString().equals(details.path("challenge").asString())) {
        return Optional.of("clientDataJSON does not carry this challenge for an assertion");
      }
      byte[] authenticatorData = b64.decode(details.path("authenticator_data").asString());
      byte[] rpIdHash = sha256(details.path("rp_id").asString().getBytes(StandardCharsets.UTF_8));
      if (authenticatorData.length < 37 || !MessageDigest.isEqual(java.util.Arrays.copyOf(authenticatorData, 32), rpIdHash)) {
        return Optional.of("the authenticator data is for another relying party");
      }
      COSEKey key = new ObjectConverter().getCborMapper()
          .readValue(b64.decode(details.path("public_key_cose").asString()), COSEKey.class);
      PublicKey publicKey = key.getPublicKey();
      if (publicKey == null) {
        return Optional.of("the stored public key is unreadable");
      }
      Signature signature = Signature.getInstance("SHA256withECDSA");
      signature.initVerify(publicKey);
      signature.update(authenticatorData);
      signature.update(sha256(clientDataJson));
      return signature.verify(b64.decode(details.path("signature").asString()))
          ? Optional.empty() : Optional.of("the signature does not verify");
    } catch (GeneralSecurityException | RuntimeException e) {
      return Optional.of("the evidence is malformed (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static byte[] sha256(byte[] bytes) throws GeneralSecurityException {
    return MessageDigest.getInstance("SHA-256").digest(bytes);
  }
}
