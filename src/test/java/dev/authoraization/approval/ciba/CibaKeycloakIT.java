package dev.authoraization.approval.ciba;

import static dev.authoraization.support.GatewayHarness.ALICE;
import static dev.authoraization.support.GatewayHarness.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.approval.ApprovalState;
import dev.authoraization.approval.ciba.CibaOutcome.Kind;
import dev.authoraization.audit.AuditEntry;
import dev.authoraization.call.ApprovalRequirement;
import dev.authoraization.call.Decision;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.call.ToolCallGatewayTests;
import dev.authoraization.support.GatewayHarness;
import dev.authoraization.support.KeycloakDevice;
import dev.authoraization.support.KeycloakServer;
import dev.authoraization.support.TestDatabases;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The CIBA channel against a real Keycloak 26.4.7 in poll mode, with the approver's phone played
 * by {@link KeycloakDevice}. The realm expires CIBA requests after 15 s and sets no poll interval,
 * so the client polls every second (its configured default).
 */
class CibaKeycloakIT {

  private static final AtomicInteger PULL = new AtomicInteger(100);

  static KeycloakServer keycloak;
  static KeycloakDevice device;

  GatewayHarness h;
  List<CibaOutcome> outcomes = new CopyOnWriteArrayList<>();
  CibaApprovalChannel channel;

  @BeforeAll
  static void keycloak() {
    keycloak = KeycloakServer.get();
    device = keycloak.device();
  }

  @BeforeEach
  void engine() {
    h = new GatewayHarness(TestDatabases.h2(), ToolCallGatewayTests.POLICY, false);
  }

  @AfterEach
  void close() {
    if (channel != null) {
      channel.close();
    }
  }

  CibaProperties properties(List<String> approvers) {
    return new CibaProperties(true, keycloak.issuer(), "", "", "", KeycloakServer.CLIENT_ID, keycloak.clientSecret(),
        CibaProperties.Provider.KEYCLOAK, Map.of("approver", approvers), "", false, Duration.ofSeconds(1),
        Duration.ofSeconds(10), Duration.ofSeconds(5), List.of());
  }

  ApprovalRequest requestApproval(List<String> approvers, String repo) {
    channel = CibaApprovalChannel.create(properties(approvers).validate(), () -> h.approvals, Clock.systemUTC(),
        outcomes::add);
    ApprovalRequest request = h.approvals.request(
        call("merge_change", "{\"repo\":\"" + repo + "\",\"number\":" + PULL.incrementAndGet() + "}", ALICE),
        "decision-1", repo, Map.of("expected_head", "abc123"), Map.of(),
        new Decision.NeedsApproval("merge", new ApprovalRequirement(Set.of("approver"), 1, Duration.ofMinutes(15), true)),
        "rev-1");
    channel.requested(request);
    return request;
  }

  KeycloakDevice.Notification notification(ApprovalRequest request, String loginHint) {
    String code = BindingMessages.code(request.fingerprint());
    KeycloakDevice.Notification notification =
        device.awaitNotification(n -> n.bindingMessage().equals(code) && n.loginHint().equals(loginHint));
    // Keycloak tells the device before it stores the request and answers the client: a device
    // answering in between gets 403 (no human is that fast; a test is)
    await().atMost(Duration.ofSeconds(10)).until(() -> !channel.attemptsFor(request.id()).isEmpty());
    return notification;
  }

  CibaOutcome awaitOutcome(ApprovalRequest request, Duration atMost) {
    return await().atMost(atMost).until(
        () -> outcomes.stream().filter(o -> o.approvalId().equals(request.id())).findFirst(), Optional::isPresent)
        .orElseThrow();
  }

  List<AuditEntry> votes(ApprovalRequest request) {
    return h.audit.entries().stream()
        .filter(e -> e.event().equals("approval.vote") && e.approvalId().equals(request.id())).toList();
  }

  @Test
  void approverSucceedsOnTheDeviceThenTheRequestIsApprovedWithVerifiedCibaEvidence() {
    ApprovalRequest request = requestApproval(List.of("admin", "alice"), "demo/webapp");

    KeycloakDevice.Notification onPhone = notification(request, "admin");
    device.approve(onPhone);

    await().atMost(Duration.ofSeconds(20)).until(() -> h.approvals.get(request.id()).state() == ApprovalState.APPROVED);
    ApprovalRequest approved = h.approvals.get(request.id());
    assertThat(approved.votes()).singleElement().satisfies(vote -> {
      assertThat(vote.approverIssuer()).isEqualTo(keycloak.issuer());
      assertThat(vote.approverSubject()).as("Keycloak's user id, not the login hint").isNotEqualTo("admin");
    });
    assertThat(votes(request)).singleElement().satisfies(vote -> {
      assertThat(vote.evidence().path("channel").asString()).isEqualTo("ciba");
      assertThat(vote.evidence().path("verified").asBoolean()).isTrue();
      var details = vote.evidence().path("details");
      assertThat(details.path("iss").asString()).isEqualTo(keycloak.issuer());
      assertThat(details.path("sub").asString()).isEqualTo(approved.votes().getFirst().approverSubject());
      assertThat(details.path("login_hint").asString()).isEqualTo("admin");
      assertThat(details.path("binding_message").asString()).isEqualTo(BindingMessages.code(request.fingerprint()));
      assertThat(details.path("auth_req_id").asString()).isNotBlank();
      assertThat(details.path("auth_time").asLong()).isPositive();
    });
    assertThat(device.received()).as("the requester is not asked to approve her own request")
        .noneMatch(n -> n.loginHint().equals("alice"));
    assertThat(channel.inFlight()).isZero();
  }

  @Test
  void bindingMessageIsAShortCodeKeycloakAcceptsAndTheWordsReachTheDevice() {
    ApprovalRequest request = requestApproval(List.of("admin"), "acme/api");

    KeycloakDevice.Notification onPhone = notification(request, "admin");

    assertThat(onPhone.bindingMessage()).matches("^[a-zA-Z0-9-._+/!?#]{1,50}$").startsWith("AZ-");
    assertThat(onPhone.body().path(CibaApprovalChannel.SUMMARY_PARAMETER).asString())
        .isEqualTo("merge_change on acme/api");
    // the reason for the code: Keycloak refuses readable text as a binding message
    CibaClient direct = new CibaClient(properties(List.of("admin")), CibaClient.httpClient(properties(List.of("admin"))));
    assertThatThrownBy(() -> direct.authenticate(Map.of("login_hint", "admin", "scope", "openid",
        "binding_message", "Merge PR #42 into main of acme/api")))
        .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PROVIDER_FAILED));
  }

  @Test
  void approverDeniesOnTheDeviceThenDeniedAndALaterSucceedDoesNotOverturnIt() {
    ApprovalRequest request = requestApproval(List.of("admin"), "demo/webapp");
    KeycloakDevice.Notification onPhone = notification(request, "admin");

    device.deny(onPhone);

    await().atMost(Duration.ofSeconds(20)).until(() -> h.approvals.get(request.id()).state() == ApprovalState.DENIED);
    assertThat(h.approvals.get(request.id()).reason()).isEqualTo("denied_on_device");
    CibaOutcome denied = awaitOutcome(request, Duration.ofSeconds(5));
    assertThat(denied.kind()).isEqualTo(Kind.DENIED);

    // Keycloak's quirk: the device can still say SUCCEED, and the same auth_req_id then yields tokens
    device.approve(onPhone);
    CibaClient direct = new CibaClient(properties(List.of("admin")), CibaClient.httpClient(properties(List.of("admin"))));
    await().atMost(Duration.ofSeconds(10))
        .until(() -> direct.poll(denied.authReqId()) instanceof CibaClient.PollResult.Tokens);

    // ... but the engine took the first final answer and never polled again
    assertThat(h.approvals.get(request.id()).state()).isEqualTo(ApprovalState.DENIED);
    assertThat(votes(request)).singleElement()
        .satisfies(vote -> assertThat(vote.outcome()).isEqualTo("deny"));
    assertThat(outcomes).filteredOn(o -> o.approvalId().equals(request.id())).containsExactly(denied);
    assertThat(channel.inFlight()).isZero();
  }

  @Test
  void deviceNeverAnswersThenTheClientStopsAtExpiredTokenAndNothingIsApproved() {
    ApprovalRequest request = requestApproval(List.of("admin"), "demo/webapp");
    notification(request, "admin");

    CibaOutcome outcome = awaitOutcome(request, Duration.ofSeconds(40));

    assertThat(outcome.kind()).isEqualTo(Kind.EXPIRED);
    assertThat(outcome.detail()).isEqualTo("expired_token");
    assertThat(h.approvals.get(request.id()).state()).as("the engine's own expiry decides").isEqualTo(ApprovalState.PENDING);
    assertThat(votes(request)).isEmpty();
    assertThat(channel.inFlight()).isZero();
  }

  @Test
  void approvalFromAUserWithoutTheApproverRoleDoesNotCount() {
    // misconfigured: bob is listed as an approver, but Keycloak gives him no approver role
    ApprovalRequest request = requestApproval(List.of("bob"), "demo/webapp");
    KeycloakDevice.Notification onPhone = notification(request, "bob");

    device.approve(onPhone);

    CibaOutcome outcome = awaitOutcome(request, Duration.ofSeconds(20));
    assertThat(outcome.kind()).isEqualTo(Kind.NOT_COUNTED);
    assertThat(outcome.detail()).isEqualTo(ErrorCode.NOT_ELIGIBLE_APPROVER.id());
    assertThat(h.approvals.get(request.id()).state()).isEqualTo(ApprovalState.PENDING);
    assertThat(votes(request)).isEmpty();
  }

  @Test
  void engineInPingModeButTheClientRegisteredForPollThenKeycloakRefusesEveryRequest() {
    // measured: Keycloak answers invalid_request to a client_notification_token from a poll client,
    // so a half-done switch to ping mode fails loudly at the first approval instead of waiting forever
    channel = CibaApprovalChannel.create(properties(List.of("admin")).ping("http://127.0.0.1:9").validate(),
        () -> h.approvals, Clock.systemUTC(), outcomes::add).ping(true);
    ApprovalRequest request = h.approvals.request(
        call("merge_change", "{\"repo\":\"demo/ping\",\"number\":" + PULL.incrementAndGet() + "}", ALICE),
        "decision-1", "demo/ping", Map.of("expected_head", "abc123"), Map.of(),
        new Decision.NeedsApproval("merge", new ApprovalRequirement(Set.of("approver"), 1, Duration.ofMinutes(15), true)),
        "rev-1");
    channel.requested(request);

    CibaOutcome outcome = awaitOutcome(request, Duration.ofSeconds(10));
    assertThat(outcome.kind()).isEqualTo(Kind.NOT_SENT);
    assertThat(outcome.detail()).contains("400 invalid_request");
    assertThat(device.received()).noneMatch(n -> n.bindingMessage().equals(BindingMessages.code(request.fingerprint())));
  }
}
