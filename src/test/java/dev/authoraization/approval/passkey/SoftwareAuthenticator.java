package dev.authoraization.approval.passkey;

import com.webauthn4j.converter.AttestationObjectConverter;
import com.webauthn4j.converter.AuthenticatorDataConverter;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.data.attestation.AttestationObject;
import com.webauthn4j.data.attestation.authenticator.AAGUID;
import com.webauthn4j.data.attestation.authenticator.AttestedCredentialData;
import com.webauthn4j.data.attestation.authenticator.AuthenticatorData;
import com.webauthn4j.data.attestation.authenticator.EC2COSEKey;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.data.attestation.statement.NoneAttestationStatement;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A passkey authenticator in software, built from the WebAuthn Level 3 data formats (sections
 * 6.1 authenticator data, 6.5 attestation object, 5.8.1 client data, 6.3.3 assertion signature)
 * with webauthn4j's encoders: ES256, "none" attestation, user present and verified. Each
 * assertion can be bent the way an attacker would (other key, other origin, other rp id, user
 * not verified, counter of its choice) to see that the engine refuses it.
 */
public final class SoftwareAuthenticator {

  static final byte UP = 0x01;
  static final byte UV = 0x04;
  static final byte AT = 0x40;
  private static final ObjectConverter CONVERTER = new ObjectConverter();
  private static final JsonMapper JSON = JsonMapper.builder().build();

  final byte[] credentialId = new byte[16];
  final KeyPair keys;
  private final String username;

  public SoftwareAuthenticator(String username) {
    this.username = username;
    new SecureRandom().nextBytes(credentialId);
    this.keys = ecKeys();
  }

  /** A P-256 key pair, e.g. an attacker's own. */
  public static KeyPair ecKeys() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public String credentialId() {
    return Passkeys.base64url(credentialId);
  }

  public byte[] rawCredentialId() {
    return credentialId.clone();
  }

  /** A registration response (PublicKeyCredential.toJSON) for {@code challenge}. */
  public String register(byte[] challenge, String rpId, String origin) {
    AttestedCredentialData attested = new AttestedCredentialData(AAGUID.ZERO, credentialId,
        EC2COSEKey.create((ECPublicKey) keys.getPublic(), COSEAlgorithmIdentifier.ES256));
    AttestationObject object = new AttestationObject(
        new AuthenticatorData<>(sha256(rpId.getBytes(StandardCharsets.UTF_8)), (byte) (UP | UV | AT), 0, attested),
        new NoneAttestationStatement());
    ObjectNode json = credential();
    json.putObject("response")
        .put("clientDataJSON", b64(clientData("webauthn.create", challenge, origin)))
        .put("attestationObject", b64(new AttestationObjectConverter(CONVERTER).convertToBytes(object)))
        .putArray("transports").add("internal");
    return json.toString();
  }

  /** What an assertion is made of; an attacker may change any part before it is signed (or after). */
  public record Assertion(byte[] challenge, String rpId, String origin, byte flags, long counter, KeyPair signer,
      byte[] credentialId) {

    public Assertion withChallenge(byte[] other) {
      return new Assertion(other, rpId, origin, flags, counter, signer, credentialId);
    }

    public Assertion withRpId(String other) {
      return new Assertion(challenge, other, origin, flags, counter, signer, credentialId);
    }

    public Assertion withOrigin(String other) {
      return new Assertion(challenge, rpId, other, flags, counter, signer, credentialId);
    }

    public Assertion withFlags(byte other) {
      return new Assertion(challenge, rpId, origin, other, counter, signer, credentialId);
    }

    public Assertion withSigner(KeyPair other) {
      return new Assertion(challenge, rpId, origin, flags, counter, other, credentialId);
    }

    public Assertion withCredentialId(byte[] other) {
      return new Assertion(challenge, rpId, origin, flags, counter, signer, other);
    }
  }

  /** An honest assertion of this authenticator over {@code challenge}. */
  public Assertion assertion(byte[] challenge, String rpId, String origin, long counter) {
    return new Assertion(challenge, rpId, origin, (byte) (UP | UV), counter, keys, credentialId);
  }

  /** The authentication response (PublicKeyCredential.toJSON) for {@code assertion}. */
  public String sign(Assertion assertion) {
    byte[] authenticatorData = new AuthenticatorDataConverter(CONVERTER).convert(new AuthenticatorData<>(
        sha256(assertion.rpId().getBytes(StandardCharsets.UTF_8)), assertion.flags(), assertion.counter()));
    byte[] clientData = clientData("webauthn.get", assertion.challenge(), assertion.origin());
    byte[] signature;
    try {
      Signature ecdsa = Signature.getInstance("SHA256withECDSA");
      ecdsa.initSign(assertion.signer().getPrivate());
      ecdsa.update(ByteBuffer.allocate(authenticatorData.length + 32).put(authenticatorData).put(sha256(clientData))
          .array());
      signature = ecdsa.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    ObjectNode json = credential(assertion.credentialId());
    json.putObject("response")
        .put("clientDataJSON", b64(clientData))
        .put("authenticatorData", b64(authenticatorData))
        .put("signature", b64(signature))
        .put("userHandle", b64(Passkeys.userHandle(username)));
    return json.toString();
  }

  private ObjectNode credential() {
    return credential(credentialId);
  }

  private static ObjectNode credential(byte[] id) {
    ObjectNode json = JSON.createObjectNode();
    json.put("id", b64(id)).put("rawId", b64(id)).put("type", "public-key")
        .put("authenticatorAttachment", "platform");
    json.putObject("clientExtensionResults");
    return json;
  }

  private static byte[] clientData(String type, byte[] challenge, String origin) {
    ObjectNode data = JSON.createObjectNode().put("type", type).put("challenge", b64(challenge)).put("origin", origin)
        .put("crossOrigin", false);
    return data.toString().getBytes(StandardCharsets.UTF_8);
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
