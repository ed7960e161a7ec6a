package dev.authoraization.redteam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.authoraization.approval.ApprovalRequest.Verdict;
import dev.authoraization.approval.Evidence;
import dev.authoraization.approval.passkey.ActionChallenge;
import dev.authoraization.approval.passkey.PasskeyProperties;
import dev.authoraization.approval.passkey.PasskeyRejectedException;
import dev.authoraization.approval.passkey.PasskeyStore;
import dev.authoraization.approval.passkey.Passkeys;
import dev.authoraization.approval.passkey.SoftwareAuthenticator;
import dev.authoraization.call.Fingerprint;
import dev.authoraization.support.TestDatabases;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * Forged passkey confirmations against {@link Passkeys#verify}, made by a software authenticator
 * (so every byte can be bent): a tampered signature, the attacker's own key under the approver's
 * credential id, an assertion for another fingerprint, another verdict or another request, a
 * credential of another approver, a replay, and assertions for another origin or relying party or
 * without user verification. The browser-level cases (altered fingerprint in the form, a captured
 * assertion replayed on another request, a credential enrolled nowhere) are in
 * {@code web.approver.ApproverDeviceIT}.
 */
@Tag("redteam")
class PasskeyForgeryTests {

  static final String RP = "localhost";
  static final String ORIGIN = "http://localhost:8443";
  static final JsonMapper JSON = JsonMapper.builder().build();

  PasskeyStore store;
  Passkeys passkeys;
  SoftwareAuthenticator admin;
  ActionChallenge approve;

  @BeforeEach
  void enrol() {
    store = new PasskeyStore(JdbcClient.create(TestDatabases.h2()));
    passkeys = new Passkeys(store, new PasskeyProperties(true, List.of(ORIGIN), null), Clock.systemUTC());
    admin = new SoftwareAuthenticator("admin");
    byte[] challenge = new byte[32];
    passkeys.register("admin", admin.register(challenge, RP, ORIGIN), challenge, RP);
    approve = new ActionChallenge(Verdict.APPROVE, fingerprint(7), "approval-1", ActionChallenge.newNonce());
  }

  @Test
  void anHonestAssertionIsAcceptedSoEveryRefusalHereIsReal() {
    Evidence evidence = passkeys.verify("admin", admin.sign(admin.assertion(approve.bytes(), RP, ORIGIN, 1)), approve, RP);

    assertThat(evidence.verified()).isTrue();
    assertThat(evidence.details().path("challenge_text").asString()).isEqualTo(approve.text());
    assertThat(counter()).isEqualTo(1);
  }

  @Test
  void anAssertionWithATamperedSignatureIsRefused() {
    String signed = admin.sign(admin.assertion(approve.bytes(), RP, ORIGIN, 1));
    var json = (tools.jackson.databind.node.ObjectNode) JSON.readTree(signed);
    byte[] signature = Base64.getUrlDecoder().decode(json.path("response").path("signature").asString());
    signature[signature.length - 1] ^= 0x01;
    ((tools.jackson.databind.node.ObjectNode) json.get("response"))
        .put("signature", Base64.getUrlEncoder().withoutPadding().encodeToString(signature));

    refused(json.toString(), approve, "signature does not verify");
  }

  @Test
  void anAssertionSignedWithTheAttackersKeyUnderTheApproversCredentialIdIsRefused() {
    String forged = admin.sign(admin.assertion(approve.bytes(), RP, ORIGIN, 1)
        .withSigner(SoftwareAuthenticator.ecKeys()));

    refused(forged, approve, "signature does not verify");
  }

  @Test
  void anAssertionForAnotherFingerprintIsRefused() {
    ActionChallenge other = new ActionChallenge(Verdict.APPROVE, fingerprint(8), "approval-1", approve.nonce());

    refused(admin.sign(admin.assertion(other.bytes(), RP, ORIGIN, 1)), approve, "not signed for this exact action");
  }

  @Test
  void aDenyAssertionCannotBeSpentAsAnApproval() {
    ActionChallenge deny = new ActionChallenge(Verdict.DENY, approve.fingerprint(), "approval-1", approve.nonce());

    refused(admin.sign(admin.assertion(deny.bytes(), RP, ORIGIN, 1)), approve, "not signed for this exact action");
  }

  @Test
  void anAssertionForTheSameActionOnAnotherRequestOrPageViewIsRefused() {
    ActionChallenge otherRequest = new ActionChallenge(Verdict.APPROVE, approve.fingerprint(), "approval-2",
        approve.nonce());
    ActionChallenge earlierPage = new ActionChallenge(Verdict.APPROVE, approve.fingerprint(), "approval-1",
        ActionChallenge.newNonce());

    refused(admin.sign(admin.assertion(otherRequest.bytes(), RP, ORIGIN, 1)), approve, "not signed for this exact action");
    refused(admin.sign(admin.assertion(earlierPage.bytes(), RP, ORIGIN, 1)), approve, "not signed for this exact action");
  }

  @Test
  void aCredentialEnrolledForAnotherApproverIsRefused() {
    SoftwareAuthenticator carol = new SoftwareAuthenticator("carol");
    byte[] challenge = new byte[32];
    passkeys.register("carol", carol.register(challenge, RP, ORIGIN), challenge, RP);

    refused(carol.sign(carol.assertion(approve.bytes(), RP, ORIGIN, 1)), approve, "not enrolled for you");
  }

  @Test
  void anUnknownCredentialIdIsRefused() {
    String forged = admin.sign(admin.assertion(approve.bytes(), RP, ORIGIN, 1).withCredentialId(new byte[16]));

    refused(forged, approve, "not enrolled for you");
  }

  @Test
  void aReplayedAssertionIsRefusedByTheSignatureCounter() {
    String once = admin.sign(admin.assertion(approve.bytes(), RP, ORIGIN, 5));
    passkeys.verify("admin", once, approve, RP);

    assertThatThrownBy(() -> passkeys.verify("admin", once, approve, RP))
        .isInstanceOf(PasskeyRejectedException.class).hasMessageContaining("counter went backwards");
    assertThat(counter()).isEqualTo(5);
  }

  @Test
  void anAssertionMadeOnAnotherOriginIsRefused() {
    refused(admin.sign(admin.assertion(approve.bytes(), RP, ORIGIN, 1).withOrigin("https://evil.example")), approve,
        "made on another site");
  }

  @Test
  void anAssertionForAnotherRelyingPartyIsRefused() {
    refused(admin.sign(admin.assertion(approve.bytes(), RP, ORIGIN, 1).withRpId("evil.example")), approve,
        "made for another site");
  }

  @Test
  void anAssertionWithoutUserVerificationIsRefused() {
    refused(admin.sign(admin.assertion(approve.bytes(), RP, ORIGIN, 1).withFlags((byte) 0x01)), approve,
        "did not verify you");
  }

  /** Found here: JSON without clientDataJSON escaped as a Jackson exception (a 500 at the door) until Passkeys caught it. */
  @Test
  void anUnreadableOrIncompleteAssertionIsRefusedNotThrown() {
    refused("{\"id\":\"x\",\"type\":\"public-key\",\"response\":{}}", approve, "unreadable");
    refused("{\"id\":\"x\",\"rawId\":\"x\",\"type\":\"public-key\",\"response\":{\"clientDataJSON\":\"e30\"}}", approve,
        "nothing was decided");
    refused("not json", approve, "unreadable");
    refused("", approve, "unreadable");
  }

  static Stream<String> incompleteRegistrations() {
    return Stream.of("{\"id\":\"x\",\"type\":\"public-key\",\"response\":{}}", "{\"id\":\"x\"}", "{}", "[]",
        "{\"id\":\"x\",\"type\":\"public-key\",\"response\":null}",
        "{\"id\":\"x\",\"rawId\":\"x\",\"type\":\"public-key\",\"response\":{\"clientDataJSON\":\"e30\"}}",
        "{\"id\":\"x\",\"rawId\":\"x\",\"type\":\"public-key\",\"response\":{\"clientDataJSON\":\"e30\","
            + "\"attestationObject\":\"oA\"}}",
        "not json");
  }

  /** Found with the sessions work: a credential without its response made webauthn4j throw a NullPointerException (a 500). */
  @ParameterizedTest
  @MethodSource("incompleteRegistrations")
  void anIncompleteRegistrationIsRefusedNotThrown(String registration) {
    assertThatThrownBy(() -> passkeys.register("admin", registration, new byte[32], RP))
        .isInstanceOf(PasskeyRejectedException.class).hasMessageContaining("nothing was enrolled");
  }

  private void refused(String assertion, ActionChallenge action, String why) {
    long before = counter();
    assertThatThrownBy(() -> passkeys.verify("admin", assertion, action, RP))
        .isInstanceOf(PasskeyRejectedException.class).hasMessageContaining(why).hasMessageContaining("nothing was decided");
    assertThat(counter()).as("the counter moves only on an accepted confirmation").isEqualTo(before);
  }

  private long counter() {
    return store.find(admin.credentialId()).orElseThrow().signCount();
  }

  private static Fingerprint fingerprint(int pull) {
    return Fingerprint.of("merge_pull_request", JSON.createObjectNode().put("owner", "demo").put("repo", "webapp")
        .put("pull_number", pull), Map.of());
  }
}
