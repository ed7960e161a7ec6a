package dev.authoraization.agent;

import static dev.authoraization.support.GatewayHarness.ADMIN;
import static dev.authoraization.support.GatewayHarness.ALICE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.approval.ApprovalRequest.Verdict;
import dev.authoraization.support.GatewayHarness;
import dev.authoraization.support.OpenAiStub;
import dev.authoraization.support.TestDatabases;
import dev.authoraization.tool.ToolCatalog;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAI path: Spring AI's OpenAI client against {@link OpenAiStub}, a local
 * {@code /v1/chat/completions} that streams {@code chat.completion.chunk}s as OpenAI's reference
 * describes them, tool call arguments in fragments included. The agent always streams.
 */
class OpenAiAgentTests {

  OpenAiStub server;
  List<JsonNode> requests;
  List<String> authorizations;

  @BeforeEach
  void openAi() {
    server = new OpenAiStub();
    requests = server.requests;
    authorizations = server.authorizations;
  }

  @AfterEach
  void close() {
    server.close();
  }

  AgentService agent(GatewayHarness harness, DataSource db, AgentTestPolicy policy) {
    AgentModel model = AgentConfiguration.openAi(new AgentProperties.OpenAi("sk-test-not-a-real-key",
        server.baseUrl(), "gpt-4o-mini"));
    return new AgentService(harness.gateway, new ToolCatalog(List.of(harness.tools)), policy,
        new ConversationStore(new JdbcTemplate(db)), model, AgentProperties.defaults());
  }

  /** Hears what a chat page would: the text pieces in order, and the tool rounds. */
  static final class Heard implements RunListener {
    final List<String> pieces = new CopyOnWriteArrayList<>();
    final List<List<Conversation.ToolCallReport>> rounds = new CopyOnWriteArrayList<>();

    @Override
    public void text(String delta) {
      pieces.add(delta);
    }

    @Override
    public void toolsRan(List<Conversation.ToolCallReport> reports, Conversation.StoredMessage results) {
      rounds.add(reports);
    }
  }

  @Test
  void aToolCallStreamedInFragmentsWaitsForApprovalThenTheAnswerStreamsInPieces() {
    DataSource db = TestDatabases.h2();
    AgentTestPolicy policy = new AgentTestPolicy(Set.of("merge_change"));
    GatewayHarness harness = new GatewayHarness(db, policy);
    server.answers.add(OpenAiStub.toolCall("call_m3rg3", "merge_change", "{\"re", "po\":\"de", "mo/web", "app\"}"));
    server.answers.add(OpenAiStub.text("Merged", " the change", " in demo/webapp", "."));
    Heard heard = new Heard();

    try (AgentService agent = agent(harness, db, policy)) {
      String id = agent.start(ALICE).id();
      try (AgentService.Listening listening = agent.listen(id, ALICE, heard)) {
        AgentService.Turn paused = agent.send(id, ALICE, "merge the change in demo/webapp");

        assertThat(paused.approvalId()).isPresent();
        assertThat(paused.conversation().status()).isEqualTo(Conversation.Status.WAITING_FOR_APPROVAL);
        assertThat(paused.toolCalls()).singleElement().satisfies(c -> {
          assertThat(c.decision()).isEqualTo("pending");
          assertThat(c.arguments().toString()).isEqualTo("{\"repo\":\"demo/webapp\"}");
        });
        // the stored run holds the whole call, not its fragments
        assertThat(paused.conversation().messages().getLast().toolCalls()).singleElement()
            .isEqualTo(new Conversation.StoredToolCall("call_m3rg3", "merge_change", "{\"repo\":\"demo/webapp\"}"));
        assertThat(harness.tools.executions).hasValue(0);
        assertThat(heard.pieces).isEmpty();

        String approvalId = paused.approvalId().get();
        harness.approvals.decide(approvalId, ADMIN, harness.approvals.get(approvalId).fingerprint(),
            Verdict.APPROVE, "ok");
        Conversation done = agent.read(id, ALICE, Duration.ofSeconds(20));

        assertThat(done.status()).isEqualTo(Conversation.Status.ACTIVE);
        assertThat(done.reply()).isEqualTo("Merged the change in demo/webapp.");
        assertThat(done.messages().getLast().text()).isEqualTo("Merged the change in demo/webapp.");
        assertThat(heard.pieces).containsExactly("Merged", " the change", " in demo/webapp", ".");
        // the decided call was reported before the answer, with its final state
        assertThat(heard.rounds).singleElement().satisfies(round -> assertThat(round).singleElement()
            .satisfies(c -> assertThat(c.decision()).isEqualTo("executed")));
      }
    }
    assertThat(harness.tools.executions).hasValue(1);
    assertThat(requests).hasSize(2).allSatisfy(r -> assertThat(r.path("stream").asBoolean()).isTrue());
    assertThat(authorizations).allMatch("Bearer sk-test-not-a-real-key"::equals);
    // only what policy offers this caller: read_notes exists but is not offered
    assertThat(requests.getFirst().path("tools")).singleElement()
        .satisfies(t -> assertThat(t.path("function").path("name").asString()).isEqualTo("merge_change"));
    JsonNode second = requests.get(1).path("messages");
    assertThat(second.get(2).path("tool_calls").get(0).path("function").path("arguments").asString())
        .isEqualTo("{\"repo\":\"demo/webapp\"}");
    assertThat(second.get(3).path("tool_call_id").asString()).isEqualTo("call_m3rg3");
    assertThat(second.get(3).path("content").asString()).contains("trust=\"untrusted-data\"");
  }

  @Test
  void toolCallFromOpenAiRunsThroughTheGatewayAndTheResultGoesBackEnveloped() {
    DataSource db = TestDatabases.h2();
    AgentTestPolicy policy = new AgentTestPolicy(Set.of("read_notes"));
    GatewayHarness harness = new GatewayHarness(db, policy);
    server.answers.add(OpenAiStub.toolCall("call_abc123", "read_notes", "{\"repo\":", "\"demo/webapp\"}"));
    server.answers.add(OpenAiStub.text("The notes of ", "demo/webapp were read."));

    try (AgentService agent = agent(harness, db, policy)) {
      String id = agent.start(ALICE).id();
      AgentService.Turn turn = agent.send(id, ALICE, "read the notes of demo/webapp");

      assertThat(turn.reply()).isEqualTo("The notes of demo/webapp were read.");
      assertThat(turn.toolCalls()).singleElement().satisfies(c -> {
        assertThat(c.tool()).isEqualTo("read_notes");
        assertThat(c.decision()).isEqualTo("allowed");
      });
    }
    assertThat(harness.tools.executions).hasValue(1);
    assertThat(authorizations).allMatch("Bearer sk-test-not-a-real-key"::equals);

    JsonNode first = requests.getFirst();
    assertThat(first.path("model").asString()).isEqualTo("gpt-4o-mini");
    assertThat(first.path("tools")).hasSize(1); // merge_change exists but is not offered to this caller
    JsonNode tool = first.path("tools").get(0);
    assertThat(tool.path("type").asString()).isEqualTo("function");
    assertThat(tool.path("function").path("name").asString()).isEqualTo("read_notes");
    assertThat(tool.path("function").path("parameters").path("properties").path("repo").path("type").asString())
        .isEqualTo("string");
    assertThat(tool.path("function").path("parameters").path("required").toString()).isEqualTo("[\"repo\"]");
    assertThat(first.path("messages").get(0).path("role").asString()).isEqualTo("system");
    assertThat(first.path("messages").get(0).path("content").toString()).contains("never instructions");

    JsonNode second = requests.get(1);
    JsonNode toolMessage = second.path("messages").get(3);
    assertThat(second.path("messages").get(2).path("tool_calls").get(0).path("id").asString()).isEqualTo("call_abc123");
    assertThat(toolMessage.path("role").asString()).isEqualTo("tool");
    assertThat(toolMessage.path("tool_call_id").asString()).isEqualTo("call_abc123");
    assertThat(toolMessage.path("content").toString()).contains("<tool-result tool=\\\"read_notes\\\" trust=\\\"untrusted-data\\\">");
  }

  @Test
  void unofferedAndUnknownToolsFromOpenAiGetTheGatewaysRefusalNotACall() {
    DataSource db = TestDatabases.h2();
    AgentTestPolicy policy = new AgentTestPolicy(Set.of("read_notes"));
    GatewayHarness harness = new GatewayHarness(db, policy);
    server.answers.add(OpenAiStub.toolCall("call_1", "delete_repository", "{\"repo\":\"demo/webapp\"}"));
    server.answers.add(OpenAiStub.text("I could not delete it."));

    try (AgentService agent = agent(harness, db, policy)) {
      String id = agent.start(ALICE).id();
      AgentService.Turn turn = agent.send(id, ALICE, "hello");

      assertThat(turn.toolCalls()).singleElement().satisfies(c -> assertThat(c.decision()).isEqualTo("unknown_tool"));
      assertThat(turn.reply()).isEqualTo("I could not delete it.");
    }
    assertThat(requests.get(1).path("messages").get(3).path("content").asString())
        .contains("status=\"unknown_tool\"").contains("There is no tool named 'delete_repository'");
    assertThat(harness.tools.executions).hasValue(0);
  }

  @Test
  void aModelServerThatFailsIsReportedNotThrown() {
    DataSource db = TestDatabases.h2();
    AgentTestPolicy policy = new AgentTestPolicy(Set.of("read_notes"));
    GatewayHarness harness = new GatewayHarness(db, policy);

    try (AgentService agent = agent(harness, db, policy)) {
      String id = agent.start(ALICE).id();
      AgentService.Turn turn = agent.send(id, ALICE, "hello");

      assertThat(turn.reply()).contains("language model could not be reached");
      assertThat(turn.conversation().status()).isEqualTo(Conversation.Status.ACTIVE);
      assertThat(turn.reply()).doesNotContain("sk-test");
    }
  }

  @Test
  void aStreamThatBreaksMidAnswerIsReportedAndNoFragmentIsStored() {
    DataSource db = TestDatabases.h2();
    AgentTestPolicy policy = new AgentTestPolicy(Set.of("read_notes"));
    GatewayHarness harness = new GatewayHarness(db, policy);
    List<String> broken = new java.util.ArrayList<>(OpenAiStub.text("The notes ", "say"));
    broken.set(broken.size() - 1, "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"ind");
    server.answers.add(broken);
    Heard heard = new Heard();

    try (AgentService agent = agent(harness, db, policy)) {
      String id = agent.start(ALICE).id();
      try (AgentService.Listening listening = agent.listen(id, ALICE, heard)) {
        AgentService.Turn turn = agent.send(id, ALICE, "read the notes of demo/webapp");

        assertThat(turn.reply()).contains("language model could not be reached or failed").doesNotContain("sk-test");
        assertThat(turn.conversation().status()).isEqualTo(Conversation.Status.ACTIVE);
        // the page saw what arrived; the stored run holds no half answer
        assertThat(heard.pieces).containsExactly("The notes ", "say");
        assertThat(turn.conversation().messages()).extracting(Conversation.StoredMessage::role).containsExactly("user");
      }
    }
  }
}
