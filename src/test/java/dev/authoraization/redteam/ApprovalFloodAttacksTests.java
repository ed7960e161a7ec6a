package dev.authoraization.redteam;

import static dev.authoraization.support.GatewayHarness.ADMIN;
import static dev.authoraization.support.GatewayHarness.ALICE;
import static dev.authoraization.support.GatewayHarness.BOB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.authoraization.approval.ApprovalQuota;
import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.approval.ApprovalRequest.Verdict;
import dev.authoraization.audit.AuditEntry;
import dev.authoraization.call.ApprovalRequirement;
import dev.authoraization.call.CallOutcome;
import dev.authoraization.call.Caller;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.call.ToolCall;
import dev.authoraization.policy.Policy;
import dev.authoraization.support.GatewayHarness;
import dev.authoraization.support.TestDatabases;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * An agent talked into asking for approvals again and again ("approval fatigue"): every request
 * rings the approvers' devices, so a flood of them is an attack on the humans who guard the
 * destructive actions. {@link ApprovalQuota} bounds what one requester can send them; these try to
 * get past it. The real gateway and approval store on H2 through {@link GatewayHarness}, whose one
 * approval channel records every request an approver was told of.
 */
@Tag("redteam")
class ApprovalFloodAttacksTests {

  /** Merges need one approver; developers may ask. */
  static final Policy MERGES_NEED_APPROVAL =
      GatewayHarness.mergesNeed(new ApprovalRequirement(Set.of("approver"), 1, Duration.ofHours(4), true));

  static final ApprovalQuota THREE_AN_HOUR = new ApprovalQuota(3, Duration.ofHours(1));

  final GatewayHarness h = new GatewayHarness(TestDatabases.h2(), MERGES_NEED_APPROVAL, true, THREE_AN_HOUR);

  @Test
  void anAgentAskingAgainAndAgainReachesTheApproversOnlyUpToTheQuota() {
    List<ApprovalRequest> parked = new ArrayList<>();
    List<GatewayException> refused = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      try {
        parked.add(park(merge(i, ALICE)));
      } catch (GatewayException e) {
        refused.add(e);
      }
    }

    assertThat(parked).hasSize(3);
    assertThat(h.notified).extracting(ApprovalRequest::id).containsExactlyElementsOf(
        parked.stream().map(ApprovalRequest::id).toList());
    assertThat(refused).hasSize(7).allSatisfy(e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_APPROVAL_REQUESTS);
      assertThat(e.code().httpStatus()).isEqualTo(429);
      assertThat(e.details()).containsEntry("retry_after_seconds", "3600").containsEntry("max_requests", "3");
      assertThat(e.getMessage()).contains("3 approvals in the last 1 h", "nothing was stored or sent", "3600 s");
    });
    assertThat(storedRequestsOf(ALICE)).isEqualTo(3);
    // each refusal is on the record: the decision, then why it went no further
    assertThat(h.audit.entries()).filteredOn(e -> e.event().equals("call.failed"))
        .extracting(AuditEntry::reason).containsOnly(ErrorCode.TOO_MANY_APPROVAL_REQUESTS.id()).hasSize(7);
  }

  @Test
  void askingAndCancellingInALoopDoesNotGiveTheQuotaBack() {
    for (int i = 1; i <= 3; i++) {
      ApprovalRequest r = park(merge(i, ALICE));
      h.approvals.cancel(r.id(), ALICE);
    }

    assertThatThrownBy(() -> park(merge(4, ALICE))).isInstanceOfSatisfying(GatewayException.class,
        e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_APPROVAL_REQUESTS));
    assertThat(h.notified).hasSize(3);
  }

  @Test
  void decidedRequestsStillCountBecauseTheApproverWasAskedForEachOfThem() {
    for (int i = 1; i <= 3; i++) {
      ApprovalRequest r = park(merge(i, ALICE));
      h.approvals.decide(r.id(), ADMIN, r.fingerprint(), Verdict.DENY, "not now");
    }

    assertThatThrownBy(() -> park(merge(4, ALICE))).isInstanceOfSatisfying(GatewayException.class,
        e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_APPROVAL_REQUESTS));
    assertThat(h.notified).hasSize(3);
  }

  @Test
  void aRetryWithTheIdempotencyKeyOfAStoredRequestIsAnsweredEvenAtTheQuota() {
    List<ToolCall> calls = List.of(merge(1, ALICE), merge(2, ALICE), merge(3, ALICE));
    List<String> ids = calls.stream().map(c -> park(c).id()).toList();

    ToolCall retry = new ToolCall(calls.getFirst().tool(), calls.getFirst().arguments(), ALICE,
        calls.getFirst().idempotencyKey());
    assertThat(park(retry).id()).isEqualTo(ids.getFirst());
    assertThat(h.notified).hasSize(3);
    assertThat(storedRequestsOf(ALICE)).isEqualTo(3);
  }

  @Test
  void theQuotaIsPerRequesterSoOthersCanStillAsk() {
    for (int i = 1; i <= 3; i++) {
      park(merge(i, ALICE));
    }
    assertThatThrownBy(() -> park(merge(4, ALICE))).isInstanceOf(GatewayException.class);

    // another user, and the same subject name at another issuer (a different person)
    Caller aliceElsewhere = Caller.of("alice", "https://other-issuer.test", Set.of("developer"));
    assertThat(park(merge(4, BOB)).requester()).isEqualTo(BOB);
    assertThat(park(merge(4, aliceElsewhere)).requester()).isEqualTo(aliceElsewhere);
    // and the same user through another agent is still the same requester
    Caller aliceViaAnotherAgent = new Caller("alice", GatewayHarness.ISSUER, Set.of("developer"),
        java.util.Optional.of("another-agent"));
    assertThatThrownBy(() -> park(merge(5, aliceViaAnotherAgent))).isInstanceOfSatisfying(GatewayException.class,
        e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_APPROVAL_REQUESTS));
  }

  @Test
  void theNextRequestMayBeAskedOnceTheOldestCountedOneLeavesTheWindow() {
    park(merge(1, ALICE));
    h.clock.advance(Duration.ofMinutes(10));
    park(merge(2, ALICE));
    h.clock.advance(Duration.ofMinutes(10));
    park(merge(3, ALICE));
    h.clock.advance(Duration.ofMinutes(10));

    assertThatThrownBy(() -> park(merge(4, ALICE))).isInstanceOfSatisfying(GatewayException.class,
        e -> assertThat(e.details()).containsEntry("retry_after_seconds", "1800"));
    h.clock.advance(Duration.ofMinutes(30)); // the first request is now exactly an hour old
    park(merge(5, ALICE));
    assertThatThrownBy(() -> park(merge(6, ALICE))).isInstanceOfSatisfying(GatewayException.class,
        e -> assertThat(e.details()).containsEntry("retry_after_seconds", "600"));
    assertThat(h.notified).hasSize(4);
  }

  @Test
  void parallelRequestsCannotAllSlipUnderTheQuota() throws Exception {
    int callers = 40;
    CountDownLatch start = new CountDownLatch(1);
    List<Future<CallOutcome>> outcomes = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 1; i <= callers; i++) {
        ToolCall call = merge(i, ALICE);
        outcomes.add(pool.submit((Callable<CallOutcome>) () -> {
          start.await();
          return h.gateway.execute(call);
        }));
      }
      start.countDown();
    }

    int pending = 0;
    int refused = 0;
    for (Future<CallOutcome> outcome : outcomes) {
      try {
        assertThat(outcome.get()).isInstanceOf(CallOutcome.Pending.class);
        pending++;
      } catch (java.util.concurrent.ExecutionException e) {
        assertThat(e.getCause()).isInstanceOfSatisfying(GatewayException.class,
            g -> assertThat(g.code()).isEqualTo(ErrorCode.TOO_MANY_APPROVAL_REQUESTS));
        refused++;
      }
    }
    assertThat(pending).isEqualTo(3);
    assertThat(refused).isEqualTo(callers - 3);
    assertThat(h.notified).hasSize(3);
    assertThat(storedRequestsOf(ALICE)).isEqualTo(3);
  }

  private ApprovalRequest park(ToolCall call) {
    CallOutcome outcome = h.gateway.execute(call);
    return h.approvals.get(((CallOutcome.Pending) outcome).approvalId());
  }

  /** A merge of another repository each time, so no two are the same action. */
  private static ToolCall merge(int n, Caller caller) {
    return GatewayHarness.call("merge_change", "{\"repo\":\"demo/repo-" + n + "\"}", caller);
  }

  private int storedRequestsOf(Caller caller) {
    return new JdbcTemplate(h.dataSource).queryForObject(
        "SELECT COUNT(*) FROM approval_request WHERE requester_issuer = ? AND requester_subject = ?",
        Integer.class, caller.issuer(), caller.subject());
  }
}
