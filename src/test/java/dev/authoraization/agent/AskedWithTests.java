package dev.authoraization.agent;

import static dev.authoraization.support.GatewayHarness.ADMIN;
import static dev.authoraization.support.GatewayHarness.ALICE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.approval.ApprovalRequest.Verdict;
import dev.authoraization.approval.ApprovalStore;
import dev.authoraization.support.GatewayHarness;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The chat line that led the agent to a call that needs approval is stored with the approval
 * request when it is asked, so the approver page shows it after the conversation moved on and
 * after a restart (docs/approver-device.md).
 */
class AskedWithTests {

  @ParameterizedTest
  @MethodSource("dev.authoraization.support.TestDatabases#both")
  void theLineIsStoredWhenAskedAndStaysAfterTheConversationMovesOnAndARestart(DataSource db) {
    GatewayHarness harness = new GatewayHarness(db, AgentDurabilityTests.POLICY);
    String approvalId;
    try (AgentService agent = AgentDurabilityTests.agent(harness, db, AgentDurabilityTests.merger())) {
      String id = agent.start(ALICE).id();
      approvalId = agent.send(id, ALICE, "merge the change in demo/webapp, the review is done").approvalId()
          .orElseThrow();
      assertThat(harness.approvals.get(approvalId).context())
          .containsEntry(ApprovalRequest.ASKED_WITH, "merge the change in demo/webapp, the review is done");

      ApprovalRequest request = harness.approvals.get(approvalId);
      harness.approvals.decide(approvalId, ADMIN, request.fingerprint(), Verdict.APPROVE, "");
      agent.read(id, ALICE, Duration.ofSeconds(20));
      agent.send(id, ALICE, "thanks; and now merge it once more");
    }

    // a fresh store over the same database: what a restarted engine reads
    ApprovalRequest stored = new ApprovalStore(new JdbcTemplate(db)).find(approvalId).orElseThrow();
    assertThat(stored.context())
        .containsEntry(ApprovalRequest.ASKED_WITH, "merge the change in demo/webapp, the review is done");
  }

  @ParameterizedTest
  @MethodSource("dev.authoraization.support.TestDatabases#both")
  void aHugeLineIsCappedAndANulIsDropped(DataSource db) {
    GatewayHarness harness = new GatewayHarness(db, AgentDurabilityTests.POLICY);
    try (AgentService agent = AgentDurabilityTests.agent(harness, db, AgentDurabilityTests.merger())) {
      String id = agent.start(ALICE).id();
      String approvalId = agent.send(id, ALICE, "merge\0 " + "x".repeat(5000)).approvalId().orElseThrow();

      String kept = harness.approvals.get(approvalId).context().get(ApprovalRequest.ASKED_WITH);
      assertThat(kept).startsWith("merge x").endsWith("…").doesNotContain("\0");
      assertThat(kept.codePointCount(0, kept.length())).isEqualTo(ApprovalRequest.MAX_ASKED_WITH);
    }
  }

  @ParameterizedTest
  @MethodSource("dev.authoraization.support.TestDatabases#both")
  void aDirectCallKeepsNoLine(DataSource db) {
    GatewayHarness harness = new GatewayHarness(db, AgentDurabilityTests.POLICY);
    var outcome = harness.gateway.execute(GatewayHarness.call("merge_change", "{\"repo\":\"demo/webapp\"}", ALICE));

    String approvalId = ((dev.authoraization.call.CallOutcome.Pending) outcome).approvalId();
    assertThat(harness.approvals.get(approvalId).context()).doesNotContainKey(ApprovalRequest.ASKED_WITH);
  }
}
