package dev.authoraization.approval;

import static dev.authoraization.support.GatewayHarness.ADMIN;
import static dev.authoraization.support.GatewayHarness.ALICE;
import static dev.authoraization.support.GatewayHarness.BOB;
import static dev.authoraization.support.GatewayHarness.CAROL;
import static dev.authoraization.support.GatewayHarness.ISSUER;
import static dev.authoraization.support.GatewayHarness.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.authoraization.approval.ApprovalRequest.Verdict;
import dev.authoraization.call.ApprovalRequirement;
import dev.authoraization.call.Caller;
import dev.authoraization.call.Decision;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.Fingerprint;
import dev.authoraization.call.GatewayException;
import dev.authoraization.call.ToolCall;
import dev.authoraization.call.ToolResult;
import dev.authoraization.support.GatewayHarness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.JsonNodeFactory;

/** The approval lifecycle on H2 and on a real PostgreSQL: every rule of invariant 4, attacked. */
class ApprovalsIT {

  static final String BOTH = "dev.authoraization.support.TestDatabases#both";

  GatewayHarness h;

  ApprovalRequest request(DataSource db, int quorum, boolean separationOfDuties) {
    h = new GatewayHarness(db, dev.authoraization.call.ToolCallGatewayTests.POLICY, false);
    return request(call("merge_change", "{\"repo\":\"demo/webapp\",\"number\":2}", ALICE), quorum, separationOfDuties);
  }

  ApprovalRequest request(ToolCall call, int quorum, boolean separationOfDuties) {
    return h.approvals.request(call, "decision-1", "demo/webapp", Map.of("expected_head", "abc123"),
        Map.of("title", "Fix the login form", "author", "octocat"),
        new Decision.NeedsApproval("merge", new ApprovalRequirement(Set.of("approver"), quorum,
            Duration.ofMinutes(15), separationOfDuties)), "rev-1");
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void approveWhenFingerprintDiffersThenRefused(DataSource db) {
    ApprovalRequest r = request(db, 1, true);
    Fingerprint other = Fingerprint.of("merge_change", JsonNodeFactory.instance.objectNode().put("number", 3), Map.of());

    refused(() -> h.approvals.decide(r.id(), ADMIN, other, Verdict.APPROVE, ""), ErrorCode.FINGERPRINT_MISMATCH);
    assertThat(h.approvals.get(r.id()).state()).isEqualTo(ApprovalState.PENDING);
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void fingerprintBindsArgumentsAndPreconditions(DataSource db) {
    ApprovalRequest r = request(db, 1, true);

    assertThat(r.fingerprint()).isEqualTo(Fingerprint.of("merge_change", r.call().arguments(), Map.of("expected_head", "abc123")));
    assertThat(r.fingerprint()).isNotEqualTo(Fingerprint.of("merge_change", r.call().arguments(), Map.of("expected_head", "abc124")));
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void contextIsStoredForTheApproverButIsNotPartOfTheFingerprint(DataSource db) {
    ApprovalRequest r = request(db, 1, true);

    assertThat(h.approvals.get(r.id()).context())
        .containsExactlyInAnyOrderEntriesOf(Map.of("title", "Fix the login form", "author", "octocat"));
    assertThat(r.fingerprint()).isEqualTo(Fingerprint.of("merge_change", r.call().arguments(), r.preconditions()));
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void secondApprovalOfTheSameRequestRefused(DataSource db) {
    ApprovalRequest r = request(db, 1, true);
    h.approvals.decide(r.id(), ADMIN, r.fingerprint(), Verdict.APPROVE, "");

    refused(() -> h.approvals.decide(r.id(), CAROL, r.fingerprint(), Verdict.APPROVE, ""), ErrorCode.APPROVAL_NOT_PENDING);
    refused(() -> h.approvals.decide(r.id(), ADMIN, r.fingerprint(), Verdict.APPROVE, ""), ErrorCode.APPROVAL_NOT_PENDING);
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void selfApprovalRefusedWhenSeparationOfDutiesIsOn(DataSource db) {
    h = new GatewayHarness(db, dev.authoraization.call.ToolCallGatewayTests.POLICY, false);
    Caller both = Caller.of("dana", ISSUER, Set.of("developer", "approver"));
    ApprovalRequest r = request(call("merge_change", "{\"repo\":\"demo/webapp\"}", both), 1, true);

    refused(() -> h.approvals.decide(r.id(), both, r.fingerprint(), Verdict.APPROVE, ""), ErrorCode.SELF_APPROVAL);
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void selfApprovalAllowedWhenTheRuleDoesNotSeparateDuties(DataSource db) {
    h = new GatewayHarness(db, dev.authoraization.call.ToolCallGatewayTests.POLICY, false);
    Caller both = Caller.of("dana", ISSUER, Set.of("developer", "approver"));
    ApprovalRequest r = request(call("merge_change", "{\"repo\":\"demo/webapp\"}", both), 1, false);

    assertThat(h.approvals.decide(r.id(), both, r.fingerprint(), Verdict.APPROVE, "").state())
        .isEqualTo(ApprovalState.APPROVED);
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void approveWhenApproverLacksTheRuleRoleThenRefused(DataSource db) {
    ApprovalRequest r = request(db, 1, true);

    refused(() -> h.approvals.decide(r.id(), BOB, r.fingerprint(), Verdict.APPROVE, ""), ErrorCode.NOT_ELIGIBLE_APPROVER);
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void sameSubjectFromAnotherIssuerIsAnotherPerson(DataSource db) {
    ApprovalRequest r = request(db, 1, true);
    Caller impostor = Caller.of("alice", "https://other-issuer.test", Set.of("approver"));

    // not the requester (other issuer), so separation of duties does not apply; eligible by role
    assertThat(h.approvals.decide(r.id(), impostor, r.fingerprint(), Verdict.APPROVE, "").state())
        .isEqualTo(ApprovalState.APPROVED);
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void expiredRequestCannotBeApproved(DataSource db) {
    ApprovalRequest r = request(db, 1, true);
    h.clock.advance(Duration.ofMinutes(16));

    refused(() -> h.approvals.decide(r.id(), ADMIN, r.fingerprint(), Verdict.APPROVE, ""), ErrorCode.APPROVAL_EXPIRED);
    assertThat(h.approvals.get(r.id()).state()).isEqualTo(ApprovalState.EXPIRED);
    assertThat(h.audit.events()).contains("approval.expired");
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void sweeperExpiresOverdueRequestsAndWakesWaiters(DataSource db) throws Exception {
    ApprovalRequest r = request(db, 1, true);
    try (ExecutorService pool = Executors.newSingleThreadExecutor()) {
      Future<ApprovalRequest> waiter = pool.submit(() -> h.approvals.await(r.id(), Duration.ofSeconds(60)));
      h.clock.advance(Duration.ofMinutes(16));

      h.approvals.expireOverdue();

      assertThat(waiter.get(10, TimeUnit.SECONDS).state()).isEqualTo(ApprovalState.EXPIRED);
      // whether the sweeper or the waiter noticed first, it expired exactly once
      assertThat(h.audit.events().stream().filter("approval.expired"::equals)).hasSize(1);
      assertThat(h.approvals.expireOverdue()).isZero();
    }
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void quorumOfTwoNeedsTwoDifferentApprovers(DataSource db) {
    ApprovalRequest r = request(db, 2, true);

    assertThat(h.approvals.decide(r.id(), ADMIN, r.fingerprint(), Verdict.APPROVE, "").state()).isEqualTo(ApprovalState.PENDING);
    refused(() -> h.approvals.decide(r.id(), ADMIN, r.fingerprint(), Verdict.APPROVE, ""), ErrorCode.ALREADY_VOTED);
    assertThat(h.approvals.get(r.id()).state()).isEqualTo(ApprovalState.PENDING);
    assertThat(h.approvals.decide(r.id(), CAROL, r.fingerprint(), Verdict.APPROVE, "").state()).isEqualTo(ApprovalState.APPROVED);
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void denyIsFinalAndALaterApprovalIsRefused(DataSource db) {
    ApprovalRequest r = request(db, 2, true);
    ApprovalRequest denied = h.approvals.decide(r.id(), ADMIN, r.fingerprint(), Verdict.DENY, "not during the freeze");

    assertThat(denied.state()).isEqualTo(ApprovalState.DENIED);
    assertThat(denied.reason()).isEqualTo("not during the freeze");
    refused(() -> h.approvals.decide(r.id(), CAROL, r.fingerprint(), Verdict.APPROVE, ""), ErrorCode.APPROVAL_NOT_PENDING);
    assertThat(h.approvals.claim(r.id())).isEmpty();
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void requesterCanCancelButNobodyElseCan(DataSource db) {
    ApprovalRequest r = request(db, 1, true);

    refused(() -> h.approvals.cancel(r.id(), BOB), ErrorCode.NOT_REQUESTER);
    assertThat(h.approvals.cancel(r.id(), ALICE).state()).isEqualTo(ApprovalState.CANCELLED);
    refused(() -> h.approvals.decide(r.id(), ADMIN, r.fingerprint(), Verdict.APPROVE, ""), ErrorCode.APPROVAL_CANCELLED);
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void sameIdempotencyKeyGivesTheSameRequestAndRefusesAnotherCall(DataSource db) {
    ApprovalRequest r = request(db, 1, true);
    ToolCall again = new ToolCall(r.call().tool(), r.call().arguments(), ALICE, r.call().idempotencyKey());
    ToolCall other = new ToolCall(r.call().tool(), JsonNodeFactory.instance.objectNode().put("repo", "demo/other"),
        ALICE, r.call().idempotencyKey());

    assertThat(request(again, 1, true).id()).isEqualTo(r.id());
    refused(() -> request(other, 1, true), ErrorCode.INVALID_ARGUMENTS);
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void illegalTransitionsAreRefused(DataSource db) {
    ApprovalRequest r = request(db, 1, true);

    assertThat(h.approvals.claim(r.id())).as("a pending request cannot be claimed").isEmpty();
    refused(() -> h.approvals.complete(r.id(), new ToolResult(JsonNodeFactory.instance.objectNode()), ""),
        ErrorCode.APPROVAL_NOT_PENDING);
    h.approvals.decide(r.id(), ADMIN, r.fingerprint(), Verdict.APPROVE, "");
    assertThat(h.approvals.claim(r.id())).isPresent();
    assertThat(h.approvals.claim(r.id())).as("claimed once only").isEmpty();
    assertThat(h.approvals.complete(r.id(), new ToolResult(JsonNodeFactory.instance.objectNode().put("sha", "f00")), "t")
        .state()).isEqualTo(ApprovalState.EXECUTED);
    refused(() -> h.approvals.cancel(r.id(), ALICE), ErrorCode.APPROVAL_NOT_PENDING);
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void approveAndDenyRacingThenExactlyOneWins(DataSource db) throws Exception {
    ApprovalRequest r = request(db, 1, true);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<ApprovalState>> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
      results.add(pool.submit(() -> { start.await(); return decideOrNull(r, ADMIN, Verdict.APPROVE); }));
      results.add(pool.submit(() -> { start.await(); return decideOrNull(r, CAROL, Verdict.DENY); }));
      start.countDown();
      for (Future<ApprovalState> f : results) {
        f.get(30, TimeUnit.SECONDS);
      }
    }
    ApprovalState end = h.approvals.get(r.id()).state();
    assertThat(end).isIn(ApprovalState.APPROVED, ApprovalState.DENIED);
    assertThat(h.audit.events().stream().filter(e -> e.equals("approval.approved") || e.equals("approval.denied")))
        .hasSize(1);
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void awaitIsWokenByTheDecisionNotByItsTimeout(DataSource db) throws Exception {
    ApprovalRequest r = request(db, 1, true);
    try (ExecutorService pool = Executors.newSingleThreadExecutor()) {
      Future<ApprovalRequest> waiter = pool.submit(() -> h.approvals.await(r.id(), Duration.ofMinutes(5)));
      h.approvals.decide(r.id(), ADMIN, r.fingerprint(), Verdict.DENY, "");

      // a timeout-driven wait would take five minutes; an event-driven one returns at once
      assertThat(waiter.get(10, TimeUnit.SECONDS).state()).isEqualTo(ApprovalState.DENIED);
    }
  }

  private ApprovalState decideOrNull(ApprovalRequest r, Caller who, Verdict verdict) {
    try {
      return h.approvals.decide(r.id(), who, r.fingerprint(), verdict, "").state();
    } catch (GatewayException | org.springframework.dao.DataAccessException lost) {
      return ApprovalState.PENDING;
    }
  }

  private static void refused(ThrowingCallable call, ErrorCode code) {
    assertThatThrownBy(call).isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(code));
  }

}
