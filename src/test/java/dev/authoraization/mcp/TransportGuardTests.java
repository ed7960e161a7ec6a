package dev.authoraization.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.authoraization.approval.Approvals;
import dev.authoraization.call.Caller;
import dev.authoraization.identity.CallerAuthentication;
import dev.authoraization.web.RequestBodyLimit;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpError;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpException;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.oauth2.jwt.Jwt;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class TransportGuardTests {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final JacksonMcpJsonMapper MCP_JSON = new JacksonMcpJsonMapper(JSON);

  static final Caller ALICE = Caller.of("alice", "https://issuer.test", Set.of("developer"));
  static final Caller MALLORY = Caller.of("mallory", "https://issuer.test", Set.of("developer"));

  final Approvals approvals = mock(Approvals.class);
  final WaitingCalls waiting = mock(WaitingCalls.class);
  final InFlightCalls inFlight = new InFlightCalls(approvals, waiting);
  final SharedSessions sessions = mock(SharedSessions.class);
  final TransportGuard guard = new TransportGuard(new RequestBodyLimit(64 * 1024), JSON, MCP_JSON, inFlight, sessions);

  /** Every session is the one its SDK knows, and the caller's. */
  TransportGuardTests() throws Exception {
    when(sessions.local(any(), any(), any())).thenAnswer(call -> call.getArgument(0));
  }

  static MockHttpServletRequest post(String contentType, byte[] body) {
    var request = new MockHttpServletRequest("POST", "/mcp");
    request.setContentType(contentType);
    request.setContent(body);
    return request;
  }

  /** A message in session {@code s-1}, sent by {@code caller}. */
  static MockHttpServletRequest inSession(String message, Caller caller) {
    var request = post("application/json", message.getBytes(StandardCharsets.UTF_8));
    request.addHeader("Mcp-Session-Id", "s-1");
    request.setUserPrincipal(new CallerAuthentication(Jwt.withTokenValue("t").header("alg", "RS256")
        .subject(caller.subject()).build(), caller));
    return request;
  }

  static String cancellation(String requestId) {
    return "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":" + requestId
        + ",\"reason\":\"stopped\"}}";
  }

  @Test
  void aNotificationInASessionOtherThanInitializedIsAcceptedByTheGuardAndNeverReachesTheSdk() throws Exception {
    for (String method : List.of("notifications/cancelled", "notifications/roots/list_changed", "notifications/x")) {
      var response = new MockHttpServletResponse();

      guard.doFilter(inSession("{\"jsonrpc\":\"2.0\",\"method\":\"" + method + "\",\"params\":{}}", ALICE),
          response, (req, res) -> { throw new AssertionError(method + " reached the SDK, which logs it at WARN"); });

      assertThat(response.getStatus()).as(method).isEqualTo(202);
      assertThat(response.getContentAsString()).isEmpty();
    }
  }

  @Test
  void theInitializedNotificationAndANotificationWithoutASessionStillReachTheSdk() throws Exception {
    var reached = new AtomicReference<Integer>(0);

    guard.doFilter(inSession("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", ALICE),
        new MockHttpServletResponse(), (req, res) -> reached.set(reached.get() + 1));
    guard.doFilter(post("application/json", cancellation("7").getBytes(StandardCharsets.UTF_8)),
        new MockHttpServletResponse(), (req, res) -> reached.set(reached.get() + 1));

    assertThat(reached.get()).isEqualTo(2);
  }

  @Test
  void aToolCallInASessionReachesTheSdkWithTheKeyItsCancellationWillName() throws Exception {
    var keys = new ArrayList<Object>();
    FilterChain sdk = (req, res) -> keys.add(req.getAttribute(InFlightCalls.KEY));

    guard.doFilter(inSession("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"x\"}}",
        ALICE), new MockHttpServletResponse(), sdk);
    guard.doFilter(inSession("{\"jsonrpc\":\"2.0\",\"id\":\"7\",\"method\":\"tools/call\",\"params\":{\"name\":\"x\"}}",
        ALICE), new MockHttpServletResponse(), sdk);
    guard.doFilter(inSession("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/list\"}", ALICE),
        new MockHttpServletResponse(), sdk);

    assertThat(keys).containsExactly(new InFlightCalls.Key("s-1", "7"), new InFlightCalls.Key("s-1", "\"7\""), null);
  }

  @Test
  void theCallersCancellationOfTheirWaitingCallWithdrawsItsApprovalRequest() throws Exception {
    try (InFlightCalls.Call call = inFlight.open(new InFlightCalls.Key("s-1", "7"), ALICE)) {
      call.waitsFor("ap-1");

      guard.doFilter(inSession(cancellation("7"), ALICE), new MockHttpServletResponse(), (req, res) -> {});
    }

    verify(approvals).cancel("ap-1", ALICE);
  }

  @Test
  void aCancellationThatArrivesBeforeTheCallHasItsRequestWithdrawsTheRequestOnceItExists() throws Exception {
    try (InFlightCalls.Call call = inFlight.open(new InFlightCalls.Key("s-1", "7"), ALICE)) {
      guard.doFilter(inSession(cancellation("7"), ALICE), new MockHttpServletResponse(), (req, res) -> {});
      verify(approvals, never()).cancel(any(), any());

      call.waitsFor("ap-1");
    }

    verify(approvals).cancel("ap-1", ALICE);
  }

  @Test
  void aCancellationWithSomeoneElsesTokenOrAnotherIdWithdrawsNothingAndStopsNoLaterCancellation() throws Exception {
    try (InFlightCalls.Call call = inFlight.open(new InFlightCalls.Key("s-1", "7"), ALICE)) {
      call.waitsFor("ap-1");

      guard.doFilter(inSession(cancellation("7"), MALLORY), new MockHttpServletResponse(), (req, res) -> {});
      guard.doFilter(inSession(cancellation("\"7\""), ALICE), new MockHttpServletResponse(), (req, res) -> {});
      guard.doFilter(inSession(cancellation("8"), ALICE), new MockHttpServletResponse(), (req, res) -> {});
      verify(approvals, never()).cancel(any(), any());

      guard.doFilter(inSession(cancellation("7"), ALICE), new MockHttpServletResponse(), (req, res) -> {});
    }

    verify(approvals).cancel("ap-1", ALICE);
  }

  @Test
  void aWaitingCallIsRecordedForTheOtherNodesUntilItIsAnswered() {
    var key = new InFlightCalls.Key("s-1", "7");
    when(waiting.waiting(key, ALICE, "ap-1")).thenReturn(true);

    try (InFlightCalls.Call call = inFlight.open(key, ALICE)) {
      call.waitsFor("ap-1");
      verify(waiting).waiting(key, ALICE, "ap-1");
      verify(waiting, never()).done(any(), any());
    }

    verify(waiting).done(key, "ap-1");
  }

  @Test
  void aCancellationOfACallWaitingOnAnotherNodeWithdrawsWhatItWaitsForThere() throws Exception {
    when(waiting.approvals(new InFlightCalls.Key("s-1", "7"), ALICE)).thenReturn(List.of("ap-9"));

    guard.doFilter(inSession(cancellation("7"), ALICE), new MockHttpServletResponse(), (req, res) -> {});

    verify(approvals).cancel("ap-9", ALICE);
  }

  @Test
  void aCallThatWasAnsweredIsForgottenSoALateCancellationWithdrawsNothing() throws Exception {
    try (InFlightCalls.Call call = inFlight.open(new InFlightCalls.Key("s-1", "7"), ALICE)) {
      call.waitsFor("ap-1");
    }

    guard.doFilter(inSession(cancellation("7"), ALICE), new MockHttpServletResponse(), (req, res) -> {});

    verify(approvals, never()).cancel(any(), any());
    assertThat(inFlight.size()).isZero();
  }

  /** The client's next request may reach another node at once: the session is recorded before the answer leaves. */
  @Test
  void anOpenedSessionIsRecordedBeforeTheInitializeAnswerIsWritten() throws Exception {
    var request = post("application/json", """
        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
         "capabilities":{},"clientInfo":{"name":"c","version":"1"}}}""".getBytes(StandardCharsets.UTF_8));
    request.setUserPrincipal(new CallerAuthentication(Jwt.withTokenValue("t").header("alg", "RS256")
        .subject(ALICE.subject()).build(), ALICE));

    guard.doFilter(request, new MockHttpServletResponse(), (req, res) -> {
      var response = (HttpServletResponse) res;
      response.setHeader("Mcp-Session-Id", "s-9");
      verify(sessions).opened("s-9", ALICE, "2025-06-18");
      response.setStatus(200);
      response.getWriter().write("{}");
    });
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
