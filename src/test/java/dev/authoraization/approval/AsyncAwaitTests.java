package dev.authoraization.approval;

import static dev.authoraization.support.GatewayHarness.ADMIN;
import static dev.authoraization.support.GatewayHarness.ALICE;
import static dev.authoraization.support.GatewayHarness.call;
import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.approval.ApprovalRequest.Verdict;
import dev.authoraization.call.ApprovalRequirement;
import dev.authoraization.call.Decision;
import dev.authoraization.call.ToolCallGatewayTests;
import dev.authoraization.support.GatewayHarness;
import dev.authoraization.support.TestDatabases;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link Approvals#awaitAsync}: a wait is a registered signal and nothing else, until the change,
 * the end of the wait, or the waiter giving up; none of the three leaves anything behind.
 */
class AsyncAwaitTests {

  /** One requester parks hundreds of requests here: the quota is not what these are about. */
  final GatewayHarness h = new GatewayHarness(TestDatabases.h2(), ToolCallGatewayTests.POLICY, false,
      new ApprovalQuota(1000, Duration.ofHours(1)));

  ApprovalRequest parked() {
    return h.approvals.request(call("merge_change", "{\"repo\":\"demo/webapp\"}", ALICE),
        UUID.randomUUID().toString(), "demo/webapp", Map.of(), Map.of(),
        new Decision.NeedsApproval("merge", new ApprovalRequirement(Set.of("approver"), 1, Duration.ofMinutes(15),
            true)), "rev-1");
  }

  @Test
  void waitIsOnlyARegisteredSignalUntilTheDecisionAnswersIt() throws Exception {
    ApprovalRequest r = parked();

    CompletableFuture<ApprovalRequest> waiting = h.approvals.awaitAsync(r.id(), Duration.ofSeconds(60));

    assertThat(waiting).isNotDone();
    assertThat(h.waiters.waiting()).containsExactly(r.id());
    assertThat(h.waiters.size()).isEqualTo(1);
    h.approvals.decide(r.id(), ADMIN, r.fingerprint(), Verdict.DENY, "no");
    assertThat(waiting.get(10, TimeUnit.SECONDS).state()).isEqualTo(ApprovalState.DENIED);
    assertThat(h.waiters.size()).isZero();
  }

  @Test
  void waiterThatGivesUpIsRemovedAtOnceAndTheOthersStillWait() throws Exception {
    ApprovalRequest r = parked();
    CompletableFuture<ApprovalRequest> gone = h.approvals.awaitAsync(r.id(), Duration.ofSeconds(60));
    CompletableFuture<ApprovalRequest> staying = h.approvals.awaitAsync(r.id(), Duration.ofSeconds(60));

    gone.cancel(false);

    assertThat(h.waiters.size()).isEqualTo(1);
    h.approvals.decide(r.id(), ADMIN, r.fingerprint(), Verdict.DENY, "no");
    assertThat(staying.get(10, TimeUnit.SECONDS).state()).isEqualTo(ApprovalState.DENIED);
    assertThat(h.waiters.waiting()).isEmpty();
  }

  @Test
  void nodeShuttingDownAnswersEveryParkedWaitWithTheCurrentStateAndParksNoNewOne() throws Exception {
    ApprovalRequest r = parked();
    ApprovalRequest other = parked();
    CompletableFuture<ApprovalRequest> first = h.approvals.awaitAsync(r.id(), Duration.ofSeconds(600));
    CompletableFuture<ApprovalRequest> second = h.approvals.awaitAsync(other.id(), Duration.ofSeconds(600));
    assertThat(h.waiters.size()).isEqualTo(2);

    h.waiters.stop(); // the web server's graceful shutdown phase

    assertThat(first.get(10, TimeUnit.SECONDS).state()).as("still pending: nothing decided").isEqualTo(ApprovalState.PENDING);
    assertThat(second.get(10, TimeUnit.SECONDS).state()).isEqualTo(ApprovalState.PENDING);
    assertThat(h.waiters.size()).isZero();
    assertThat(h.approvals.awaitAsync(r.id(), Duration.ofSeconds(600)).get(10, TimeUnit.SECONDS).state())
        .as("a poll arriving while the node drains is answered at once").isEqualTo(ApprovalState.PENDING);
    assertThat(h.waiters.size()).isZero();
    h.approvals.decide(r.id(), ADMIN, r.fingerprint(), Verdict.APPROVE, "");
    assertThat(h.approvals.get(r.id()).state()).as("and it can still be decided").isNotEqualTo(ApprovalState.PENDING);

    h.waiters.start(); // started again (a paused Spring context is restarted)
    CompletableFuture<ApprovalRequest> parkedAgain = h.approvals.awaitAsync(other.id(), Duration.ofSeconds(600));
    assertThat(parkedAgain).as("waits park again after a restart").isNotDone();
    assertThat(h.waiters.size()).isEqualTo(1);
    parkedAgain.cancel(false);
  }

  @Test
  void waitThatRunsOutAnswersThePendingRequestAndLeavesNoWaiter() throws Exception {
    ApprovalRequest r = parked();

    ApprovalRequest answered = h.approvals.awaitAsync(r.id(), Duration.ofMillis(300)).get(10, TimeUnit.SECONDS);

    assertThat(answered.state()).isEqualTo(ApprovalState.PENDING);
    assertThat(h.waiters.waiting()).isEmpty();
  }

  @Test
  void finalRequestAnswersAtOnceWithoutRegisteringAWaiter() throws Exception {
    ApprovalRequest r = parked();
    h.approvals.decide(r.id(), ADMIN, r.fingerprint(), Verdict.DENY, "no");

    CompletableFuture<ApprovalRequest> waiting = h.approvals.awaitAsync(r.id(), Duration.ofSeconds(60));

    assertThat(waiting).isCompleted();
    assertThat(waiting.get().state()).isEqualTo(ApprovalState.DENIED);
    assertThat(h.waiters.waiting()).isEmpty();
  }

  @Test
  void thousandsOfWaitsHoldNoThreadAndAllAnswerTheirDecision() throws Exception {
    List<ApprovalRequest> requests = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      requests.add(parked());
    }
    int threadsBefore = Thread.activeCount();
    List<CompletableFuture<ApprovalRequest>> waits = new ArrayList<>();
    for (ApprovalRequest r : requests) {
      for (int j = 0; j < 10; j++) {
        waits.add(h.approvals.awaitAsync(r.id(), Duration.ofSeconds(60)));
      }
    }

    assertThat(h.waiters.size()).isEqualTo(2000);
    // a few pool threads may come and go in the JVM; a thread per wait would be 2,000
    assertThat(Thread.activeCount()).isLessThan(threadsBefore + 20);
    for (ApprovalRequest r : requests) {
      h.approvals.decide(r.id(), ADMIN, r.fingerprint(), Verdict.DENY, "no");
    }
    CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    assertThat(waits).allSatisfy(w -> assertThat(w.get().state()).isEqualTo(ApprovalState.DENIED));
    assertThat(h.waiters.size()).isZero();
  }

  @Test
  void blockingAwaitIsTheSameWaitAndLeavesNoWaiterWhenInterrupted() throws Exception {
    ApprovalRequest r = parked();
    Thread waiter = Thread.ofVirtual().start(() -> h.approvals.await(r.id(), Duration.ofSeconds(60)));
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> h.waiters.size() == 1);

    waiter.interrupt();
    waiter.join(Duration.ofSeconds(10));

    assertThat(waiter.isAlive()).isFalse();
    assertThat(h.waiters.size()).isZero();
  }
}
