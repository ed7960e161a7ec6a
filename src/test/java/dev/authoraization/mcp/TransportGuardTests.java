package dev.authoraization.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.web.RequestBodyLimit;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpError;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpException;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class TransportGuardTests {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final JacksonMcpJsonMapper MCP_JSON = new JacksonMcpJsonMapper(JSON);

  final TransportGuard guard = new TransportGuard(new RequestBodyLimit(64 * 1024), JSON, MCP_JSON);

  static MockHttpServletRequest post(String contentType, byte[] body) {
    var request = new MockHttpServletRequest("POST", "/mcp");
    request.setContentType(contentType);
    request.setContent(body);
    return request;
  }

  @Test
  void theServletGetsTheSameBodyFromMemory() throws Exception {
    String message = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\",\"params\":{\"n\":\"caf\u00e9\"}}";
    var seen = new AtomicReference<String>();

    guard.doFilter(post("application/json;charset=UTF-8", message.getBytes(StandardCharsets.UTF_8)),
        new MockHttpServletResponse(), (req, res) -> seen.set(req.getReader().readLine()));

    assertThat(seen.get()).isEqualTo(message);
  }

  @Test
  void aCharsetTheJvmDoesNotKnowIsAParseErrorAndTheServletNeverRuns() throws Exception {
    var response = new MockHttpServletResponse();
    var reached = new AtomicReference<Boolean>(false);

    guard.doFilter(post("application/json;charset=x-no-such-charset", "{}".getBytes(StandardCharsets.UTF_8)),
        response, (req, res) -> reached.set(true));

    assertThat(reached.get()).isFalse();
    assertThat(response.getStatus()).isEqualTo(400);
    assertThat(error(response).path("code").asInt()).isEqualTo(-32700);
  }

  @Test
  void aJsonNullIsAnInvalidRequestNotAServerFailure() throws Exception {
    var response = new MockHttpServletResponse();

    guard.doFilter(post("application/json", "null".getBytes(StandardCharsets.UTF_8)), response,
        (req, res) -> { throw new AssertionError("reached the servlet"); });

    assertThat(response.getStatus()).isEqualTo(400);
    assertThat(error(response).path("code").asInt()).isEqualTo(-32600);
  }

  @Test
  void anInitializeWithoutParamsIsInvalidParamsAndTheServletNeverRuns() throws Exception {
    var response = new MockHttpServletResponse();
    var reached = new AtomicReference<Boolean>(false);

    guard.doFilter(post("application/json", "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"initialize\",\"params\":null}"
        .getBytes(StandardCharsets.UTF_8)), response, (req, res) -> reached.set(true));

    assertThat(reached.get()).isFalse();
    assertThat(response.getStatus()).isEqualTo(400);
    assertThat(error(response).path("code").asInt()).isEqualTo(-32602);
    assertThat(JSON.readTree(response.getContentAsString()).path("id").asInt()).isEqualTo(7);
  }

  @Test
  void jettysRefusalOfABodyOverTheLimitIsTheEngines413AndTheServletNeverRuns() throws Exception {
    var request = new MockHttpServletRequest("POST", "/mcp") {
      @Override
      public ServletInputStream getInputStream() {
        throw new HttpException.RuntimeException(413, "Request body is too large: 70000>65536");
      }
    };
    request.setContent(new byte[10]);
    request.addHeader("Transfer-Encoding", "chunked");
    var response = new MockHttpServletResponse();
    var reached = new AtomicReference<Boolean>(false);

    guard.doFilter(request, response, (req, res) -> reached.set(true));

    assertThat(reached.get()).isFalse();
    assertThat(response.getStatus()).isEqualTo(413);
    assertThat(response.getContentType()).isEqualTo("application/problem+json");
    assertThat(response.getContentAsString()).contains("request_too_large");
  }

  @Test
  void theSdksClientErrorKeepsItsCodeAndMessageAndLosesTheStackTrace() throws Exception {
    var response = new MockHttpServletResponse();

    guard.doFilter(post("text/plain", "hello".getBytes(StandardCharsets.UTF_8)), response,
        sdkAnswers(415, McpError.builder(-32600)
            .message("Unsupported Media Type: Content-Type must be application/json").build()));

    assertThat(response.getStatus()).isEqualTo(415);
    JsonNode answer = JSON.readTree(response.getContentAsString());
    assertThat(answer.path("jsonrpc").asString()).isEqualTo("2.0");
    assertThat(answer.path("id").isNull()).isTrue();
    assertThat(answer.path("error").path("code").asInt()).isEqualTo(-32600);
    assertThat(answer.path("error").path("message").asString()).startsWith("Unsupported Media Type");
    assertThat(answer.path("error").properties()).hasSize(2);
    assertThat(response.getContentAsString()).doesNotContain("stackTrace").doesNotContain("McpError");
  }

  @Test
  void theSdksServerErrorSaysOnlyThatTheEngineFailed() throws Exception {
    var response = new MockHttpServletResponse();

    guard.doFilter(post("application/json", "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\"}".getBytes(
        StandardCharsets.UTF_8)), response, sdkAnswers(500, McpError.builder(-32603)
        .message("Error handling message: connection to jdbc:postgresql://db.internal:5432/engine refused").build()));

    assertThat(response.getStatus()).isEqualTo(500);
    assertThat(error(response).path("code").asInt()).isEqualTo(-32603);
    assertThat(error(response).path("message").asString()).startsWith("Internal error").doesNotContain("db.internal");
  }

  @Test
  void anAnswerBelow400PassesThroughUntouched() throws Exception {
    var response = new MockHttpServletResponse();
    String result = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}";

    guard.doFilter(post("application/json", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}".getBytes(
        StandardCharsets.UTF_8)), response, (req, res) -> {
          ((HttpServletResponse) res).setStatus(200);
          res.getWriter().write(result);
        });

    assertThat(response.getContentAsString()).isEqualTo(result);
  }

  /** What the SDK's {@code responseError} does: the exception itself, serialized whole. */
  static FilterChain sdkAnswers(int status, McpError error) {
    return (req, res) -> {
      var response = (HttpServletResponse) res;
      response.setContentType("application/json");
      response.setStatus(status);
      response.getWriter().write(MCP_JSON.writeValueAsString(error));
      response.getWriter().flush();
    };
  }

  static JsonNode error(MockHttpServletResponse response) throws Exception {
    return JSON.readTree(response.getContentAsString()).path("error");
  }
}
