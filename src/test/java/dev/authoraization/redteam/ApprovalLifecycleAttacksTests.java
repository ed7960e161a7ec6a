package dev.authoraization.redteam;

import static dev.authoraization.support.GatewayHarness.ADMIN;
import static dev.authoraization.support.GatewayHarness.ALICE;
import static dev.authoraization.support.GatewayHarness.CAROL;
import static dev.authoraization.support.GatewayHarness.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.approval.ApprovalRequest.Verdict;
import dev.authoraization.approval.ApprovalState;
import dev.authoraization.call.ApprovalRequirement;
import dev.authoraization.call.CallOutcome;
import dev.authoraization.call.Caller;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.policy.Policy;
import dev.authoraization.support.GatewayHarness;
import dev.authoraization.support.TestDatabases;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Attacks on the approval lifecycle that need a clock under the test's control (expiry) or a
 * rule the REST door's test policy does not have (quorum of two): the real gateway and approval
 * store on H2, through {@link GatewayHarness}.
 */
@Tag("redteam")
class ApprovalLifecycleAttacksTests {

  /** Merges need two approvers within 15 minutes; requesters may not approve. */
  static final Policy QUORUM_OF_TWO =
      GatewayHarness.mergesNeed(new ApprovalRequirement(Set.of("approver"), 2, Duration.ofMinutes(15), true));

  final GatewayHarness h = new GatewayHarness(TestDatabases.h2(), QUORUM_OF_TWO);

  @Test
  void approvalArrivingExactlyAtTheExpiryInstantIsRefusedAndNothingRuns() {
    ApprovalRequest r = park();
    h.clock.advance(Duration.ofMinutes(15)); // expiresAt is exclusive: at that instant it is over

    assertThatThrownBy(() -> h.approvals.decide(r.id(), ADMIN, r.fingerprint(), Verdict.APPROVE, ""))
        .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.APPROVAL_EXPIRED));
    assertThat(h.approvals.get(r.id()).state()).isEqualTo(ApprovalState.EXPIRED);
    assertThat(h.tools.executions.get()).isZero();
  }

  @Test
  void aQuorumVoteCastBeforeExpiryDoesNotCountAfterIt() {
    ApprovalRequest r = park();
    h.approvals.decide(r.id(), ADMIN, r.fingerprint(), Verdict.APPROVE, "");
    h.clock.advance(Duration.ofMinutes(16));

    assertThatThrownBy(() -> h.approvals.decide(r.id(), CAROL, r.fingerprint(), Verdict.APPROVE, ""))
        .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.APPROVAL_EXPIRED));
    assertThat(h.gateway.executeApproved(r.id()).state()).isEqualTo(ApprovalState.EXPIRED);
    assertThat(h.tools.executions.get()).isZero();
  }

  @Test
  void quorumOfTwoIsNotReachedByOneApproverVotingTwice() {
    ApprovalRequest r = park();
    h.approvals.decide(r.id(), ADMIN, r.fingerprint(), Verdict.APPROVE, "");

    assertThatThrownBy(() -> h.approvals.decide(r.id(), ADMIN, r.fingerprint(), Verdict.APPROVE, "again"))
        .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ALREADY_VOTED));
    Caller sameAdminMoreRoles = Caller.of("admin", GatewayHarness.ISSUER, Set.of("approver", "developer"));
    assertThatThrownBy(() -> h.approvals.decide(r.id(), sameAdminMoreRoles, r.fingerprint(), Verdict.APPROVE, ""))
        .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ALREADY_VOTED));
    assertThat(h.approvals.get(r.id()).state()).isEqualTo(ApprovalState.PENDING);
    assertThat(h.tools.executions.get()).isZero();
  }

  @Test
  void theRequesterCannotBeTheSecondVoteOfAQuorum() {
    Caller dana = Caller.of("dana", GatewayHarness.ISSUER, Set.of("developer", "approver"));
    ApprovalRequest r = park(dana);
    h.approvals.decide(r.id(), ADMIN, r.fingerprint(), Verdict.APPROVE, "");

    assertThatThrownBy(() -> h.approvals.decide(r.id(), dana, r.fingerprint(), Verdict.APPROVE, ""))
        .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SELF_APPROVAL));
    assertThat(h.approvals.get(r.id()).state()).isEqualTo(ApprovalState.PENDING);
  }

  @Test
  void executingARequestThatIsOnlyPendingDoesNothing() {
    ApprovalRequest r = park();
    h.approvals.decide(r.id(), ADMIN, r.fingerprint(), Verdict.APPROVE, "");

    assertThat(h.gateway.executeApproved(r.id()).state()).isEqualTo(ApprovalState.PENDING);
    assertThat(h.tools.executions.get()).isZero();
  }

  @Test
  void anApprovedRequestLeftUnclaimedByACrashRunsExactlyOnceAfterRestarts() {
    GatewayHarness beforeCrash = new GatewayHarness(h.dataSource, QUORUM_OF_TWO, false);
    CallOutcome.Pending pending = (CallOutcome.Pending) beforeCrash.gateway.execute(
        call("merge_change", "{\"repo\":\"demo/webapp\"}", ALICE));
    beforeCrash.approvals.decide(pending.approvalId(), ADMIN, pending.fingerprint(), Verdict.APPROVE, "");
    beforeCrash.approvals.decide(pending.approvalId(), CAROL, pending.fingerprint(), Verdict.APPROVE, "");
    assertThat(beforeCrash.approvals.get(pending.approvalId()).state()).isEqualTo(ApprovalState.APPROVED);

    GatewayHarness restarted = new GatewayHarness(h.dataSource, QUORUM_OF_TWO);
    GatewayHarness restartedAgain = new GatewayHarness(h.dataSource, QUORUM_OF_TWO);
    restarted.gateway.resumeApproved();
    restartedAgain.gateway.resumeApproved();

    assertThat(restarted.approvals.await(pending.approvalId(), Duration.ofSeconds(10)).state())
        .isEqualTo(ApprovalState.EXECUTED);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(restarted.tools.executions.get() + restartedAgain.tools.executions.get()).isEqualTo(1));
    assertThat(beforeCrash.tools.executions.get()).isZero();
  }

  private ApprovalRequest park() {
    return park(ALICE);
  }

  private ApprovalRequest park(Caller requester) {
    CallOutcome outcome = h.gateway.execute(call("merge_change", "{\"repo\":\"demo/webapp\"}", requester));
    return h.approvals.get(((CallOutcome.Pending) outcome).approvalId());
  }
}
