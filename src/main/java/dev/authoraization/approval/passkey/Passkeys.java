package dev.authoraization.approval.passkey;

import com.webauthn4j.WebAuthnManager;
import com.webauthn4j.converter.AttestedCredentialDataConverter;
import com.webauthn4j.converter.exception.DataConversionException;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.credential.CredentialRecordImpl;
import com.webauthn4j.data.AuthenticationData;
import com.webauthn4j.data.AuthenticationParameters;
import com.webauthn4j.data.PublicKeyCredentialParameters;
import com.webauthn4j.data.PublicKeyCredentialType;
import com.webauthn4j.data.RegistrationData;
import com.webauthn4j.data.RegistrationParameters;
import com.webauthn4j.data.attestation.authenticator.AttestedCredentialData;
import com.webauthn4j.data.attestation.authenticator.AuthenticatorData;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.data.attestation.statement.NoneAttestationStatement;
import com.webauthn4j.data.client.Origin;
import com.webauthn4j.data.client.challenge.DefaultChallenge;
import com.webauthn4j.server.ServerProperty;
import com.webauthn4j.verifier.exception.BadChallengeException;
import com.webauthn4j.verifier.exception.BadOriginException;
import com.webauthn4j.verifier.exception.BadRpIdException;
import com.webauthn4j.verifier.exception.BadSignatureException;
import com.webauthn4j.verifier.exception.MaliciousCounterValueException;
import com.webauthn4j.verifier.exception.UserNotVerifiedException;
import com.webauthn4j.verifier.exception.VerificationException;
import dev.authoraization.approval.Evidence;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.dao.DuplicateKeyException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Enrols approvers' passkeys and verifies the assertions that confirm their decisions, following
 * WebAuthn Level 3 (https://www.w3.org/TR/webauthn-3/) sections 7.1 (registration) and 7.2
 * (authentication) as implemented by webauthn4j: ES256 only, resident key and user verification
 * required, origin and rp id checked, and the signature counter must advance.
 */
public class Passkeys {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final long TIMEOUT_MILLIS = 120_000;

  private final PasskeyStore store;
  private final PasskeyProperties properties;
  private final Clock clock;
  private final WebAuthnManager webauthn = WebAuthnManager.createNonStrictWebAuthnManager();
  private final AttestedCredentialDataConverter credentialData =
      new AttestedCredentialDataConverter(new ObjectConverter());

  public Passkeys(PasskeyStore store, PasskeyProperties properties, Clock clock) {
    this.store = store;
    this.properties = properties;
    this.clock = clock;
  }

  public boolean enrolled(String username) {
    return !store.of(username).isEmpty();
  }

  public List<Passkey> of(String username) {
    return store.of(username);
  }

  /**
   * {@code PublicKeyCredentialCreationOptionsJSON} (WebAuthn Level 3, section 5.1.8) for the
   * browser's {@code PublicKeyCredential.parseCreationOptionsFromJSON}.
   */
  public String creationOptions(String username, String rpId, String challenge) {
    ObjectNode options = JsonNodeFactory.instance.objectNode();
    options.putObject("rp").put("id", rpId).put("name", properties.rpName());
    options.putObject("user").put("id", base64url(userHandle(username))).put("name", username)
        .put("displayName", username);
    options.put("challenge", challenge);
    options.putArray("pubKeyCredParams").addObject().put("type", "public-key").put("alg", -7);
    options.put("timeout", TIMEOUT_MILLIS);
    ArrayNode exclude = options.putArray("excludeCredentials");
    store.of(username).forEach(p -> exclude.addObject().put("type", "public-key").put("id", p.credentialId()));
    options.putObject("authenticatorSelection").put("residentKey", "required").put("requireResidentKey", true)
        .put("userVerification", "required");
    options.put("attestation", "none");
    return JSON.writeValueAsString(options);
  }

  /**
   * {@code PublicKeyCredentialRequestOptionsJSON} (WebAuthn Level 3, section 5.5) allowing only
   * the user's own passkeys.
   */
  public String requestOptions(String username, String rpId, String challenge) {
    ObjectNode options = JsonNodeFactory.instance.objectNode();
    options.put("challenge", challenge);
    options.put("rpId", rpId);
    options.put("timeout", TIMEOUT_MILLIS);
    options.put("userVerification", "required");
    ArrayNode allow = options.putArray("allowCredentials");
    store.of(username).forEach(p -> allow.addObject().put("type", "public-key").put("id", p.credentialId()));
    return JSON.writeValueAsString(options);
  }

  /** Verifies a registration response for the challenge the server issued, then stores the passkey. */
  public Passkey register(String username, String registrationResponseJson, byte[] challenge, String rpId) {
    RegistrationData data;
    try {
      // webauthn4j dereferences the response's parts without checking them: a credential without
      // them is refused here instead of failing inside it
      JsonNode response = JSON.readTree(registrationResponseJson).path("response");
      if (!response.path("clientDataJSON").isString() || !response.path("attestationObject").isString()) {
        throw new PasskeyRejectedException("The new passkey could not be verified (its response lacks clientDataJSON "
            + "or attestationObject); nothing was enrolled. Try again.");
      }
      data = webauthn.verifyRegistrationResponseJSON(registrationResponseJson, new RegistrationParameters(
          server(rpId, challenge),
          List.of(new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY, COSEAlgorithmIdentifier.ES256)),
          true, true));
    } catch (VerificationException | DataConversionException | JacksonException e) {
      throw new PasskeyRejectedException("The new passkey could not be verified (" + describe(e)
          + "); nothing was enrolled. Try again.", e);
    }
    AuthenticatorData<?> authenticator = data.getAttestationObject().getAuthenticatorData();
    AttestedCredentialData attested = authenticator.getAttestedCredentialData();
    if (attested == null) {
      throw new PasskeyRejectedException("The authenticator returned no credential; nothing was enrolled.");
    }
    Passkey passkey = new Passkey(base64url(attested.getCredentialId()), username, credentialData.convert(attested),
        authenticator.getSignCount(), authenticator.isFlagUV(), authenticator.isFlagBE(), authenticator.isFlagBS(),
        clock.instant());
    try {
      store.insert(passkey);
    } catch (DuplicateKeyException e) {
      throw new PasskeyRejectedException("This passkey is enrolled already.", e);
    }
    return passkey;
  }

  /**
   * Verifies that one of the user's passkeys signed exactly this action's challenge, advances its
   * counter, and returns the evidence to store with the decision: everything needed to check the
   * signature again later without trusting this server.
   */
  public Evidence verify(String username, String authenticationResponseJson, ActionChallenge action, String rpId) {
    AuthenticationData data;
    try {
      data = webauthn.parseAuthenticationResponseJSON(authenticationResponseJson);
    } catch (DataConversionException | IllegalArgumentException | JacksonException e) {
      // JacksonException: well-formed JSON that is not an assertion (a part missing) fails in webauthn4j's mapping
      throw new PasskeyRejectedException("The passkey confirmation is unreadable; nothing was decided.", e);
    }
    String credentialId = base64url(data.getCredentialId());
    Passkey passkey = store.find(credentialId).filter(p -> p.username().equals(username))
        .orElseThrow(() -> new PasskeyRejectedException(
            "This passkey is not enrolled for you on this engine; nothing was decided."));
    if (data.getUserHandle() != null && !Arrays.equals(data.getUserHandle(), userHandle(username))) {
      throw new PasskeyRejectedException("This passkey belongs to another account; nothing was decided.");
    }
    AttestedCredentialData attested = credentialData.convert(passkey.attestedCredentialData());
    CredentialRecordImpl record = new CredentialRecordImpl(new NoneAttestationStatement(), passkey.uvInitialized(),
        passkey.backupEligible(), passkey.backupState(), passkey.signCount(), attested, null, null, null, null);
    byte[] challenge = action.bytes();
    try {
      webauthn.verify(data, new AuthenticationParameters(server(rpId, challenge), record,
          List.of(data.getCredentialId()), true, true));
    } catch (VerificationException e) {
      throw new PasskeyRejectedException(explain(e), e);
    }
    long counter = data.getAuthenticatorData() == null ? 0 : data.getAuthenticatorData().getSignCount();
    if (!store.advance(credentialId, passkey.signCount(), counter, clock.instant())) {
      throw new PasskeyRejectedException("This passkey was used for another confirmation at the same moment; "
          + "nothing was decided. Reload and try again.");
    }
    ObjectNode details = JsonNodeFactory.instance.objectNode();
    details.put("credential_id", credentialId);
    details.put("public_key_cose", base64url(new ObjectConverter().getCborMapper()
        .writeValueAsBytes(attested.getCOSEKey())));
    details.put("authenticator_data", base64url(data.getAuthenticatorDataBytes()));
    details.put("client_data_json", base64url(data.getCollectedClientDataBytes()));
    details.put("signature", base64url(data.getSignature()));
    details.put("challenge", action.base64url());
    details.put("challenge_text", action.text());
    details.put("verdict", action.verdict().name().toLowerCase(Locale.ROOT));
    details.put("sign_count", counter);
    details.put("rp_id", rpId);
    return Evidence.verified("passkey", details);
  }

  /** A stable, opaque user handle: no personal data goes to the authenticator's user.id. */
  static byte[] userHandle(String username) {
    try {
      return MessageDigest.getInstance("SHA-256")
          .digest(("authoraization-approver:" + username).getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private ServerProperty server(String rpId, byte[] challenge) {
    Set<Origin> origins = properties.origins().stream().map(Origin::new).collect(Collectors.toSet());
    return ServerProperty.builder().origins(origins).rpId(rpId).challenge(new DefaultChallenge(challenge)).build();
  }

  private static String explain(VerificationException e) {
    return switch (e) {
      case BadChallengeException bad -> "This confirmation was not signed for this exact action "
          + "(another request, another verdict, an altered fingerprint, or an earlier page); nothing was decided. "
          + "Reload the request and confirm again.";
      case BadSignatureException bad -> "The passkey's signature does not verify; nothing was decided.";
      case BadOriginException bad -> "This confirmation was made on another site; nothing was decided.";
      case BadRpIdException bad -> "This confirmation was made for another site; nothing was decided.";
      case UserNotVerifiedException bad -> "Your authenticator did not verify you (PIN or biometrics); "
          + "nothing was decided.";
      case MaliciousCounterValueException bad -> "This passkey's signature counter went backwards, as with a "
          + "copied authenticator or a replayed confirmation; nothing was decided.";
      default -> "The passkey confirmation could not be verified (" + describe(e) + "); nothing was decided.";
    };
  }

  private static String describe(RuntimeException e) {
    return e.getClass().getSimpleName().replace("Exception", "");
  }

  static String base64url(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
