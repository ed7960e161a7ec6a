package dev.authoraization.agent;

import static dev.authoraization.support.GatewayHarness.ALICE;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.authoraization.support.GatewayHarness;
import dev.authoraization.support.TestDatabases;
import dev.authoraization.tool.ToolCatalog;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAI path: Spring AI's OpenAI client against a local server that answers
 * {@code POST /v1/chat/completions} as OpenAI's API reference describes it
 * (https://platform.openai.com/docs/api-reference/chat/create and
 * https://platform.openai.com/docs/api-reference/chat/object): a first answer with
 * {@code message.tool_calls} [{id, type: "function", function: {name, arguments}}] and
 * {@code finish_reason: "tool_calls"}, then a plain text answer with {@code finish_reason: "stop"}.
 * The agent calls {@code ChatModel.call} only (never {@code stream}), so the streaming
 * ({@code chat.completion.chunk}, {@code delta.tool_calls}, {@code data: [DONE]}) shape is not used.
 */
class OpenAiAgentTests {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  HttpServer server;
  final Queue<String> answers = new ConcurrentLinkedQueue<>();
  final List<JsonNode> requests = new CopyOnWriteArrayList<>();
  final List<String> authorizations = new CopyOnWriteArrayList<>();

  @BeforeEach
  void openAi() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v1/chat/completions", exchange -> {
      requests.add(JSON.readTree(exchange.getRequestBody().readAllBytes()));
      authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
      String answer = answers.poll();
      byte[] body = (answer == null ? "{\"error\":{\"message\":\"no more answers\",\"type\":\"test\"}}" : answer)
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(answer == null ? 500 : 200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }

  @AfterEach
  void close() {
    server.stop(0);
  }

  AgentService agent(GatewayHarness harness, DataSource db, AgentTestPolicy policy) {
    AgentModel model = AgentConfiguration.openAi(new AgentProperties.OpenAi("sk-test-not-a-real-key",
        "http://127.0.0.1:" + server.getAddress().getPort() + "/v1", "gpt-4o-mini"));
    return new AgentService(harness.gateway, new ToolCatalog(List.of(harness.tools)), policy,
        new ConversationStore(new JdbcTemplate(db)), model, AgentProperties.defaults());
  }

  static String toolCalls(String id, String name, String arguments) {
    return """
        {"id":"chatcmpl-1","object":"chat.completion","created":1735689600,"model":"gpt-4o-mini-2024-07-18",
         "choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":null,
           "tool_calls":[{"id":"%s","type":"function","function":{"name":"%s","arguments":%s}}]},
           "logprobs":null,"finish_reason":"tool_calls"}],
         "usage":{"prompt_tokens":82,"completion_tokens":17,"total_tokens":99},"system_fingerprint":"fp_test"}
        """.formatted(id, name, JSON.writeValueAsString(arguments));
  }

  static String text(String content) {
    return """
        {"id":"chatcmpl-2","object":"chat.completion","created":1735689601,"model":"gpt-4o-mini-2024-07-18",
         "choices":[{"index":0,"message":{"role":"assistant","content":%s,"refusal":null},
           "logprobs":null,"finish_reason":"stop"}],
         "usage":{"prompt_tokens":120,"completion_tokens":9,"total_tokens":129},"system_fingerprint":"fp_test"}
        """.formatted(JSON.writeValueAsString(content));
  }

  @Test
  void toolCallFromOpenAiRunsThroughTheGatewayAndTheResultGoesBackEnveloped() {
    DataSource db = TestDatabases.h2();
    AgentTestPolicy policy = new AgentTestPolicy(Set.of("read_notes"));
    GatewayHarness harness = new GatewayHarness(db, policy);
    answers.add(toolCalls("call_abc123", "read_notes", "{\"repo\":\"demo/webapp\"}"));
    answers.add(text("The notes of demo/webapp were read."));

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
    answers.add(toolCalls("call_1", "delete_repository", "{\"repo\":\"demo/webapp\"}"));
    answers.add(text("I could not delete it."));

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
}
