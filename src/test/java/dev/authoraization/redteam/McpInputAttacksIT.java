package dev.authoraization.redteam;

import static dev.authoraization.support.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.support.EngineIT;
import dev.authoraization.support.RawMcp;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;

/**
 * A signed-in MCP client (a prompt-injected agent, say) sends bodies that are not MCP messages.
 * Each carries a canary and a forged log line: neither may reach the engine's log, and the answer
 * is a JSON-RPC error that echoes neither the body nor anything of the server's insides (the MCP
 * SDK answered with its exception serialized whole, stack trace included, and logged the parser's
 * message with the caller's text at ERROR). An unknown method goes past the guard into a session,
 * where the SDK answers by itself: that case keeps that path honest.
 */
@Tag("redteam")
@ExtendWith(OutputCaptureExtension.class)
class McpInputAttacksIT extends EngineIT {

  static final String ALICE = token("alice", "developer");

  private final String canary = "canary-" + UUID.randomUUID();

  /** A whole log line as the engine writes one, after a raw line break that JSON allows between tokens. */
  private String forgedLine() {
    return "\n2026-12-03T07:00:00.000Z  INFO 1 --- [main] d.a.approval.Approvals : approval granted " + canary;
  }

  @Test
  void aJsonObjectThatIsNoJsonRpcMessageIsAnsweredWithoutEchoAndNotLogged(CapturedOutput output) throws Exception {
    HttpResponse<String> answer = send(null, "{\"jsonrpc\":\"2.0\",\n\"" + forgedLine().strip() + "\":1}");

    assertRefusedQuietly(answer, output, 400, -32600);
  }

  @Test
  void malformedJsonIsAParseErrorWithoutEchoAndNotLogged(CapturedOutput output) throws Exception {
    HttpResponse<String> answer = send(null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\" " + canary
        + forgedLine());

    assertRefusedQuietly(answer, output, 400, -32700);
  }

  @Test
  void aBatchIsRefusedWithoutEchoAndNotLogged(CapturedOutput output) throws Exception {
    HttpResponse<String> answer = send(null, "[{\"jsonrpc\":\"2.0\",\"method\":\"" + canary + "\"},\n{\""
        + forgedLine().strip() + "\":1}]");

    assertRefusedQuietly(answer, output, 400, -32600);
  }

  @Test
  void anInitializeWhoseParamsDoNotFitIsRefusedWithoutEchoAndNotLogged(CapturedOutput output) throws Exception {
    HttpResponse<String> answer = send(null, """
        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
         "capabilities":{"roots":{"listChanged":"%s"}},"clientInfo":{"name":"raw","version":"1"}}}"""
        .formatted(canary + forgedLine().replace("\n", "\\n")));

    assertRefusedQuietly(answer, output, 400, -32602);
  }

  @Test
  void aToolCallWhoseArgumentsAreNoObjectIsInvalidParamsNotASilentAnswerAndAnErrorLog(CapturedOutput output)
      throws Exception {
    String session = initialize();

    HttpResponse<String> answer = send(session, """
        {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"list_issues","arguments":"%s"}}"""
        .formatted(canary + forgedLine().replace("\n", "\\n")));

    assertRefusedQuietly(answer, output, 400, -32602);
    assertThat(JSON.readTree(answer.body()).path("id").asInt()).isEqualTo(2);
    assertThat(output.getAll()).doesNotContain("Failed to handle request stream");
  }

  @Test
  void anUnknownMethodInASessionDoesNotWriteTheCallersTextIntoTheLog(CapturedOutput output) throws Exception {
    String session = initialize();

    HttpResponse<String> answer = send(session, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\""
        + canary + forgedLine().replace("\n", "\\n") + "\"}");

    assertThat(output.getAll()).doesNotContain(canary);
    assertNoInsides(answer);
  }

  /** The SDK logged every notification it has no handler for at WARN, params included: any client, at will. */
  @Test
  void notificationsTheServerHasNoUseForAreAcceptedWithoutAWarningOrTheCallersText(CapturedOutput output)
      throws Exception {
    String session = initialize();

    for (String method : List.of("notifications/cancelled", "notifications/roots/list_changed", canary)) {
      HttpResponse<String> answer = send(session, """
          {"jsonrpc":"2.0","method":"%s","params":{"requestId":"%s"}}"""
          .formatted(method, canary + forgedLine().replace("\n", "\\n")));

      assertThat(answer.statusCode()).as(method).isEqualTo(202);
      assertThat(answer.body()).isEmpty();
    }
    assertThat(output.getAll()).doesNotContain(canary).doesNotContain("No handler registered")
        .doesNotContain("Roots list changed");
  }

  @Test
  void aResponseToARequestTheServerNeverSentIsRefusedWithoutA500AndNotLogged(CapturedOutput output) throws Exception {
    String session = initialize();

    HttpResponse<String> answer = send(session, "{\"jsonrpc\":\"2.0\",\"id\":\"" + canary
        + forgedLine().replace("\n", "\\n") + "\",\"result\":{}}");

    assertRefusedQuietly(answer, output, 400, -32600);
    assertThat(JSON.readTree(answer.body()).path("id").isNull()).isTrue();
    assertThat(output.getAll()).doesNotContain("Error handling message");
  }

  @Test
  void aBodyThatIsNotJsonAtAllIsRefusedWithoutTheServersInsides(CapturedOutput output) throws Exception {
    HttpResponse<String> answer = send(null, canary, "text/plain");

    assertThat(answer.statusCode()).isEqualTo(415);
    assertNoInsides(answer);
    assertThat(output.getAll()).doesNotContain(canary);
  }

  @Test
  void aStreamOpenedWithoutASessionIsRefusedAsJsonRpcWithoutTheServersInsides() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(uri("/mcp")).timeout(Duration.ofSeconds(15))
        .header("Accept", "text/event-stream").header("Authorization", "Bearer " + ALICE).GET().build();
    HttpResponse<String> answer;
    try (HttpClient http = HttpClient.newHttpClient()) {
      answer = http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    assertThat(answer.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(answer.body()).path("error").path("message").asString()).contains("Session ID");
    assertNoInsides(answer);
  }

  private void assertRefusedQuietly(HttpResponse<String> answer, CapturedOutput output, int status, int code) {
    assertThat(answer.statusCode()).isEqualTo(status);
    JsonNode error = JSON.readTree(answer.body());
    assertThat(error.path("jsonrpc").asString()).isEqualTo("2.0");
    assertThat(error.path("error").path("code").asInt()).isEqualTo(code);
    assertThat(answer.body()).doesNotContain(canary);
    assertNoInsides(answer);
    assertThat(output.getAll()).doesNotContain(canary).doesNotContain("approval granted");
  }

  private static void assertNoInsides(HttpResponse<String> answer) {
    assertThat(answer.body()).doesNotContain("stackTrace").doesNotContain("io.modelcontextprotocol")
        .doesNotContain("tools.jackson").doesNotContain("java.lang");
  }

  private String initialize() throws Exception {
    return mcp().initialize();
  }

  private HttpResponse<String> send(@Nullable String session, String body) throws Exception {
    return mcp().send(session, body);
  }

  private HttpResponse<String> send(@Nullable String session, String body, String contentType) throws Exception {
    return mcp().send(session, body, contentType);
  }

  private RawMcp mcp() {
    return new RawMcp(uri("/mcp"), ALICE);
  }
}
