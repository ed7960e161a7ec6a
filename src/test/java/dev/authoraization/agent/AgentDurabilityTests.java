package dev.authoraization.agent;

import static dev.authoraization.support.GatewayHarness.ADMIN;
import static dev.authoraization.support.GatewayHarness.ALICE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.approval.ApprovalRequest.Verdict;
import dev.authoraization.approval.ApprovalState;
import dev.authoraization.support.GatewayHarness;
import dev.authoraization.tool.ToolCatalog;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A run paused for an approval survives the engine: a fresh agent over the same database resumes
 * it when the approval is decided, and only once when several try at the same time.
 */
class AgentDurabilityTests {

  static final AgentTestPolicy POLICY = new AgentTestPolicy(Set.of("read_notes", "merge_change"));

  /** Merges when asked, then reports what the engine said. */
  static ScriptedModel merger() {
    return new ScriptedModel(prompt -> ScriptedModel.afterTools(prompt)
        ? new AssistantMessage("Outcome: " + ScriptedModel.results(prompt))
        : ScriptedModel.calls("merge_change", "{\"repo\":\"demo/webapp\"}"));
  }

  static AgentService agent(GatewayHarness harness, DataSource db, ScriptedModel model) {
    return new AgentService(harness.gateway, new ToolCatalog(List.of(harness.tools)), POLICY,
        new ConversationStore(new JdbcTemplate(db)), new AgentModel("scripted", model), AgentProperties.defaults());
  }

  @ParameterizedTest
  @MethodSource("dev.authoraization.support.TestDatabases#both")
  void pausedRunResumesInAFreshAgentAfterARestart(DataSource db) {
    GatewayHarness harness = new GatewayHarness(db, POLICY);
    String id;
    String approvalId;
    try (AgentService before = agent(harness, db, merger())) {
      id = before.start(ALICE).id();
      AgentService.Turn paused = before.send(id, ALICE, "merge the change in demo/webapp");
      assertThat(paused.conversation().status()).isEqualTo(Conversation.Status.WAITING_FOR_APPROVAL);
      assertThat(paused.approvalId()).isPresent();
      assertThat(paused.toolCalls()).singleElement().satisfies(c -> assertThat(c.decision()).isEqualTo("pending"));
      approvalId = paused.approvalId().get();
    } // the engine goes away; nothing of the run is in memory any more
    assertThat(harness.tools.executions).hasValue(0);

    ApprovalRequest request = harness.approvals.get(approvalId);
    harness.approvals.decide(approvalId, ADMIN, request.fingerprint(), Verdict.APPROVE, "fine");

    ScriptedModel model = merger();
    try (AgentService after = agent(harness, db, model)) {
      Conversation done = after.read(id, ALICE, Duration.ofSeconds(20));

      assertThat(done.status()).isEqualTo(Conversation.Status.ACTIVE);
      assertThat(done.reply()).startsWith("Outcome: ").contains("trust=\"untrusted-data\"").contains("merge_change");
      assertThat(done.toolCalls()).extracting(Conversation.ToolCallReport::decision).containsExactly("pending", "executed");
      assertThat(harness.tools.executions).hasValue(1);
      assertThat(model.prompts).hasSize(1); // the model was asked once more, with the result
    }
  }

  @ParameterizedTest
  @MethodSource("dev.authoraization.support.TestDatabases#both")
  void racingResumersResumeOnce(DataSource db) throws Exception {
    GatewayHarness harness = new GatewayHarness(db, POLICY);
    ScriptedModel model = merger();
    try (AgentService one = agent(harness, db, model); AgentService two = agent(harness, db, model)) {
      String id = one.start(ALICE).id();
      String approvalId = one.send(id, ALICE, "merge it").approvalId().orElseThrow();
      ApprovalRequest request = harness.approvals.get(approvalId);
      harness.approvals.decide(approvalId, ADMIN, request.fingerprint(), Verdict.APPROVE, "");
      assertThat(harness.approvals.await(approvalId, Duration.ofSeconds(20)).state()).isEqualTo(ApprovalState.EXECUTED);
      int before = model.prompts.size();

      try (var pool = Executors.newFixedThreadPool(4)) {
        List<CompletableFuture<Conversation>> readers = List.of(
            CompletableFuture.supplyAsync(() -> one.read(id, ALICE, Duration.ofSeconds(20)), pool),
            CompletableFuture.supplyAsync(() -> two.read(id, ALICE, Duration.ofSeconds(20)), pool),
            CompletableFuture.runAsync(() -> one.onApprovalChanged(
                new dev.authoraization.approval.ApprovalChanged(approvalId, ApprovalState.EXECUTED)), pool)
                .thenApply(v -> two.read(id, ALICE, Duration.ofSeconds(20))));
        for (CompletableFuture<Conversation> reader : readers) {
          assertThat(reader.get().status()).isEqualTo(Conversation.Status.ACTIVE);
        }
      }

      assertThat(model.prompts.size() - before).isEqualTo(1);
      Conversation done = one.get(id, ALICE);
      assertThat(done.messages()).filteredOn(m -> m.role().equals("tool")).hasSize(1);
      assertThat(model.prompts.getLast().getInstructions()).filteredOn(ToolResponseMessage.class::isInstance).hasSize(1);
    }
  }

  @ParameterizedTest
  @MethodSource("dev.authoraization.support.TestDatabases#both")
  void deniedCallIsExplainedToTheModelAndNothingRuns(DataSource db) {
    GatewayHarness harness = new GatewayHarness(db, POLICY);
    try (AgentService agent = agent(harness, db, merger())) {
      String id = agent.start(ALICE).id();
      String approvalId = agent.send(id, ALICE, "merge it").approvalId().orElseThrow();
      ApprovalRequest request = harness.approvals.get(approvalId);
      harness.approvals.decide(approvalId, ADMIN, request.fingerprint(), Verdict.DENY, "not on a Friday");

      Conversation done = agent.read(id, ALICE, Duration.ofSeconds(20));

      assertThat(done.reply()).contains("status=\"approval_denied\"").contains("denied").contains("not on a Friday");
      assertThat(harness.tools.executions).hasValue(0);
    }
  }

  @ParameterizedTest
  @MethodSource("dev.authoraization.support.TestDatabases#both")
  void callWithdrawnBecauseNoApproverCouldBeAskedIsExplainedWithTheFailingDependency(DataSource db) {
    GatewayHarness harness = new GatewayHarness(db, POLICY);
    try (AgentService agent = agent(harness, db, merger())) {
      String id = agent.start(ALICE).id();
      String approvalId = agent.send(id, ALICE, "merge it").approvalId().orElseThrow();
      harness.approvals.withdraw(approvalId, "dependency_unavailable: CIBA provider unavailable: HTTP 503; retry later.");

      Conversation done = agent.read(id, ALICE, Duration.ofSeconds(20));

      assertThat(done.reply()).contains("status=\"approval_cancelled\"").contains("CIBA provider unavailable")
          .contains("Nothing was executed");
      assertThat(harness.tools.executions).hasValue(0);
    }
  }

  @ParameterizedTest
  @MethodSource("dev.authoraization.support.TestDatabases#both")
  void messageWhileWaitingIsNotRunAndAnExpiredApprovalIsExplained(DataSource db) {
    GatewayHarness harness = new GatewayHarness(db, POLICY);
    ScriptedModel model = merger();
    try (AgentService agent = agent(harness, db, model)) {
      String id = agent.start(ALICE).id();
      String approvalId = agent.send(id, ALICE, "merge it").approvalId().orElseThrow();
      int asked = model.prompts.size();

      AgentService.Turn meanwhile = agent.send(id, ALICE, "and now merge everything else");

      assertThat(meanwhile.reply()).contains("still waiting for approval " + approvalId);
      assertThat(meanwhile.toolCalls()).isEmpty();
      assertThat(model.prompts).hasSize(asked);

      harness.clock.advance(Duration.ofMinutes(16));
      harness.approvals.expireOverdue();
      Conversation done = agent.read(id, ALICE, Duration.ofSeconds(20));

      assertThat(done.status()).isEqualTo(Conversation.Status.ACTIVE);
      assertThat(done.reply()).contains("status=\"approval_expired\"").contains("Nothing was executed");
      assertThat(done.messages()).extracting(Conversation.StoredMessage::text).doesNotContain("and now merge everything else");
      assertThat(harness.tools.executions).hasValue(0);
    }
  }

  @ParameterizedTest
  @MethodSource("dev.authoraization.support.TestDatabases#both")
  void conversationOfAnotherUserDoesNotExist(DataSource db) {
    GatewayHarness harness = new GatewayHarness(db, POLICY);
    try (AgentService agent = agent(harness, db, merger())) {
      String id = agent.start(ALICE).id();

      org.assertj.core.api.Assertions.assertThatThrownBy(() -> agent.read(id, GatewayHarness.BOB, Duration.ZERO))
          .isInstanceOfSatisfying(dev.authoraization.call.GatewayException.class,
              e -> assertThat(e.code()).isEqualTo(dev.authoraization.call.ErrorCode.NOT_FOUND));
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> agent.send(id, GatewayHarness.BOB, "merge it"))
          .isInstanceOf(dev.authoraization.call.GatewayException.class);
      assertThat(harness.tools.executions).hasValue(0);
    }
  }
}
