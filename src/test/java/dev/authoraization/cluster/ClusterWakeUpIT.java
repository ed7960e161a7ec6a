package dev.authoraization.cluster;

import static dev.authoraization.support.GatewayHarness.ADMIN;
import static dev.authoraization.support.GatewayHarness.ALICE;
import static dev.authoraization.support.GatewayHarness.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.approval.ApprovalRequest.Verdict;
import dev.authoraization.approval.ApprovalState;
import dev.authoraization.approval.cluster.ApprovalListener;
import dev.authoraization.call.CallOutcome;
import dev.authoraization.call.ToolCallGateway;
import dev.authoraization.support.FakeTools;
import dev.authoraization.support.TestDatabases;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/** Two nodes on one PostgreSQL database: a decision on one wakes and runs the call parked on the other. */
class ClusterWakeUpIT {

  private final FakeTools tools = new FakeTools();
  private ClusterNode a;
  private ClusterNode b;
  private DataSource db;

  @BeforeEach
  void twoNodes() {
    db = TestDatabases.postgres();
    a = new ClusterNode(db, tools);
    b = new ClusterNode(db, tools);
    a.listener.start();
    b.listener.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> a.listener.listening() && b.listener.listening());
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
  }

  @Test
  void denyOnNodeBWakesTheCallerWaitingOnNodeAWithinASecond() {
    String id = park(a);
    CompletableFuture<ApprovalRequest> waiting = CompletableFuture.supplyAsync(() -> a.approvals.await(id, Duration.ofSeconds(30)));
    await().until(() -> a.waiters.waiting().contains(id));

    ApprovalRequest pending = b.approvals.get(id);
    b.approvals.decide(id, ADMIN, pending.fingerprint(), Verdict.DENY, "not today");

    await().atMost(Duration.ofSeconds(1)).until(waiting::isDone);
    assertThat(waiting.join().state()).isEqualTo(ApprovalState.DENIED);
    assertThat(tools.executions).hasValue(0);
  }

  @Test
  void approvalOnNodeBRunsTheCallOnceOnNodeAWhichParkedItAndAnswersTheCallerThere() {
    String id = park(a);
    CompletableFuture<ApprovalRequest> waiting = CompletableFuture.supplyAsync(() -> a.approvals.await(id, Duration.ofSeconds(30)));
    await().until(() -> a.waiters.waiting().contains(id));

    b.approvals.decide(id, ADMIN, b.approvals.get(id).fingerprint(), Verdict.APPROVE, "ok");

    await().atMost(Duration.ofSeconds(2)).until(waiting::isDone);
    assertThat(waiting.join().state()).isEqualTo(ApprovalState.EXECUTED);
    // A ran it (what a federated vault fetched at park time is in A's memory); B, which saw the
    // approval first, left it to A, and its delayed attempt later finds it run
    await().during(ToolCallGateway.OTHER_NODE_DELAY.plusMillis(500)).atMost(Duration.ofSeconds(10))
        .until(() -> tools.executions.get() == 1);
    assertThat(a.audit.events()).filteredOn("approval.claimed"::equals).hasSize(1);
    assertThat(b.audit.events()).doesNotContain("approval.claimed");
  }

  @Test
  void whenTheNodeThatParkedTheCallHearsNothingAnotherNodeRunsItAfterAShortDelay() {
    a.listener.stop(); // A is gone as far as B's decisions are concerned
    String id = park(a);

    b.approvals.decide(id, ADMIN, b.approvals.get(id).fingerprint(), Verdict.APPROVE, "ok");

    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> tools.executions.get() == 0);
    await().atMost(ToolCallGateway.OTHER_NODE_DELAY.plusSeconds(10))
        .until(() -> b.approvals.get(id).state() == ApprovalState.EXECUTED);
    assertThat(tools.executions).hasValue(1);
    assertThat(b.audit.events()).filteredOn("approval.claimed"::equals).hasSize(1);
    assertThat(a.audit.events()).doesNotContain("approval.claimed");
  }

  @Test
  void whenTheListenConnectionsDropTheyReconnectAndWakeUpsCrossNodesAgain() {
    Integer dropped = new JdbcTemplate(db).queryForObject(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = ?",
        Integer.class, ApprovalListener.APPLICATION_NAME);
    assertThat(dropped).isGreaterThanOrEqualTo(2);
    await().atMost(Duration.ofSeconds(10)).until(() -> a.listener.listening() && b.listener.listening()
        && new JdbcTemplate(db).queryForObject("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?",
            Integer.class, ApprovalListener.APPLICATION_NAME) >= 2);

    String id = park(a);
    CompletableFuture<ApprovalRequest> waiting = CompletableFuture.supplyAsync(() -> a.approvals.await(id, Duration.ofSeconds(30)));
    await().until(() -> a.waiters.waiting().contains(id));
    b.approvals.decide(id, ADMIN, b.approvals.get(id).fingerprint(), Verdict.DENY, "no");

    await().atMost(Duration.ofSeconds(1)).until(waiting::isDone);
    assertThat(waiting.join().state()).isEqualTo(ApprovalState.DENIED);
  }

  @Test
  void whenANotificationIsMissedTheRecheckStillWakesTheWaiter() {
    a.listener.stop(); // A hears nothing from B from now on
    String id = park(a);
    CompletableFuture<ApprovalRequest> waiting = CompletableFuture.supplyAsync(() -> a.approvals.await(id, Duration.ofSeconds(30)));
    await().until(() -> a.waiters.waiting().contains(id));
    b.approvals.decide(id, ADMIN, b.approvals.get(id).fingerprint(), Verdict.DENY, "no");
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> !waiting.isDone());

    assertThat(a.recheck.wakeSettled()).isEqualTo(1);

    await().atMost(Duration.ofSeconds(1)).until(waiting::isDone);
    assertThat(waiting.join().state()).isEqualTo(ApprovalState.DENIED);
  }

  @Test
  void anApprovedRequestNobodyClaimedIsRunOnceByTheRecheckAfterTheGracePeriod() {
    a.listener.stop();
    b.listener.stop();
    String id = park(a);
    // approved on a node that died before it could run it: the state only, straight in SQL
    new JdbcTemplate(db).update(
        "UPDATE approval_request SET state = 'APPROVED' WHERE id = ?", id);

    assertThat(a.recheck.runUnclaimed()).as("within the grace period nobody steps in").isZero();
    a.clock.advance(Duration.ofSeconds(3));
    assertThat(a.recheck.runUnclaimed()).isEqualTo(1);
    assertThat(b.recheck.runUnclaimed()).as("the other node finds nothing left to run").isZero();

    assertThat(a.approvals.get(id).state()).isEqualTo(ApprovalState.EXECUTED);
    assertThat(tools.executions).hasValue(1);
  }

  private static String park(ClusterNode node) {
    CallOutcome outcome = node.gateway.execute(call("merge_change", "{\"repo\":\"demo/webapp\"}", ALICE));
    return ((CallOutcome.Pending) outcome).approvalId();
  }
}
