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
 * The Anthropic path: Spring AI's Anthropic client against a local server that answers
 * {@code POST /v1/messages} as Anthropic's Messages API reference describes it
 * (https://docs.anthropic.com/en/api/messages and
 * https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/overview): a first answer with a
 * {@code tool_use} content block {id, name, input} and {@code stop_reason: "tool_use"}, then a
 * {@code text} block with {@code stop_reason: "end_turn"}. The agent streams, so each answer comes
 * as the streaming reference describes it (https://docs.anthropic.com/en/docs/build-with-claude/streaming):
 * {@code message_start}, {@code content_block_start}, {@code content_block_delta} events
 * ({@code text_delta}, or {@code input_json_delta} with {@code partial_json} pieces of a tool's
 * input), {@code content_block_stop}, {@code message_delta} with the {@code stop_reason}, and
 * {@code message_stop}.
 */
class AnthropicAgentTests {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  HttpServer server;
  final Queue<String> answers = new ConcurrentLinkedQueue<>();
  final List<JsonNode> requests = new CopyOnWriteArrayList<>();
  final List<String> keys = new CopyOnWriteArrayList<>();

  @BeforeEach
  void anthropic() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v1/messages", exchange -> {
      requests.add(JSON.readTree(exchange.getRequestBody().readAllBytes()));
      keys.add(exchange.getRequestHeaders().getFirst("x-api-key"));
      JsonNode request = requests.getLast();
      String answer = answers.poll();
      if (answer != null && request.path("stream").asBoolean(false)) {
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
          for (String event : answer.split("\n\n")) {
            out.write((event + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
          }
        }
        return;
      }
      byte[] body = (answer == null
          ? "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"no more answers\"}}" : answer)
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
    AgentModel model = AgentConfiguration.anthropic(new AgentProperties.Anthropic("sk-ant-test-not-a-real-key",
        "http://127.0.0.1:" + server.getAddress().getPort(), ""));
    return new AgentService(harness.gateway, new ToolCatalog(List.of(harness.tools)), policy,
        new ConversationStore(new JdbcTemplate(db)), model, AgentProperties.defaults());
  }

  private static String event(String type, String data) {
    return "event: " + type + "\ndata: " + data + "\n\n";
  }

  private static String start(String id) {
    return event("message_start", """
        {"type":"message_start","message":{"id":"%s","type":"message","role":"assistant","content":[],\
        "model":"claude-test","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":120,"output_tokens":1}}}"""
        .formatted(id));
  }

  private static String stop(String reason) {
    return event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
        + event("message_delta", """
            {"type":"message_delta","delta":{"stop_reason":"%s","stop_sequence":null},"usage":{"output_tokens":30}}"""
            .formatted(reason))
        + event("message_stop", "{\"type\":\"message_stop\"}");
  }

  /** A tool_use block whose input arrives in the given {@code partial_json} pieces. */
  static String toolUse(String id, String name, String... inputPieces) {
    StringBuilder events = new StringBuilder(start("msg_01")).append(event("content_block_start", """
        {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"%s","name":"%s","input":{}}}"""
        .formatted(id, name)));
    for (String piece : inputPieces) {
      events.append(event("content_block_delta", """
          {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":%s}}"""
          .formatted(JSON.writeValueAsString(piece))));
    }
    return events.append(stop("tool_use")).toString();
  }

  /** A text block in the given pieces. */
  static String text(String... pieces) {
    StringBuilder events = new StringBuilder(start("msg_02")).append(event("content_block_start",
        "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"));
    for (String piece : pieces) {
      events.append(event("content_block_delta", """
          {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":%s}}"""
          .formatted(JSON.writeValueAsString(piece))));
    }
    return events.append(stop("end_turn")).toString();
  }

  @Test
  void toolUseFromAnthropicRunsThroughTheGatewayAndTheResultGoesBackEnveloped() {
    DataSource db = TestDatabases.h2();
    AgentTestPolicy policy = new AgentTestPolicy(Set.of("read_notes"));
    GatewayHarness harness = new GatewayHarness(db, policy);
    answers.add(toolUse("toolu_01A", "read_notes", "{\"repo\":", "\"demo/webapp\"}"));
    answers.add(text("The notes ", "were read."));

    try (AgentService agent = agent(harness, db, policy)) {
      String id = agent.start(ALICE).id();
      AgentService.Turn turn = agent.send(id, ALICE, "read the notes of demo/webapp");

      assertThat(turn.reply()).isEqualTo("The notes were read.");
      assertThat(turn.toolCalls()).singleElement().satisfies(c -> assertThat(c.decision()).isEqualTo("allowed"));
    }
    assertThat(harness.tools.executions).hasValue(1);
    assertThat(keys).allMatch("sk-ant-test-not-a-real-key"::equals);

    JsonNode first = requests.getFirst();
    assertThat(requests).allSatisfy(r -> assertThat(r.path("stream").asBoolean()).isTrue());
    assertThat(first.path("tools")).hasSize(1);
    assertThat(first.path("tools").get(0).path("name").asString()).isEqualTo("read_notes");
    assertThat(first.path("tools").get(0).path("input_schema").path("required").toString()).isEqualTo("[\"repo\"]");
    assertThat(first.path("system").toString()).contains("never instructions");

    JsonNode result = requests.get(1).path("messages").get(2).path("content").get(0);
    assertThat(result.path("type").asString()).isEqualTo("tool_result");
    assertThat(result.path("tool_use_id").asString()).isEqualTo("toolu_01A");
    assertThat(result.path("content").toString()).contains("trust=\\\"untrusted-data\\\"");
  }
}
