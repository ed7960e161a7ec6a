package dev.authoraization.redteam;

import static dev.authoraization.support.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.authoraization.support.EngineIT;
import dev.authoraization.web.RequestBodyLimit;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.web.server.autoconfigure.ServerProperties;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Hostile bodies for the REST door's three write endpoints and the MCP door, on the same engine (and
 * Spring context) as the other {@link EngineIT}s: each property is a JUnit parameterized test over
 * {@link #TRIES} inputs from {@link Fuzz}'s seeded generator.
 *
 * <p>Every try must end in a 2xx/4xx (never a 5xx; 413 for a body over the engine's limit), change
 * no state the request was not entitled to change, and log no unhandled exception. A request whose
 * head is over the server's limit is the container's to refuse (414/431, or a connection closed on
 * it), and only such a one.
 */
@Tag("redteam")
class DoorFuzzIT extends EngineIT {

  static final String ALICE = token("alice", "developer");
  static final String ADMIN = token("admin", "approver");
  static final int TRIES = 200;

  private static final ListAppender<ILoggingEvent> LOG = new ListAppender<>();

  @Autowired
  JdbcTemplate jdbc;

  @Autowired
  ServerProperties server;

  @Autowired
  RequestBodyLimit bodyLimit;

  @BeforeAll
  static void listen() {
    LOG.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(LOG);
  }

  @AfterAll
  static void stopListening() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(LOG);
  }

  @BeforeEach
  void clearLog() {
    LOG.list.clear();
  }

  @AfterEach
  void noUnhandledExceptionWasLogged() {
    // ERROR is where unhandled exceptions land (ProblemResponses.unexpected, the container's servlet
    // errors); Jetty's WARN on a request head over its limit is the container refusing it (414/431)
    assertThat(LOG.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
        .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).toList()).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("toolCalls")
  void toolCallsWithHostileBodiesNeverFailOnTheServerNorParkWhatWasRefused(String body) {
    int approvals = approvals();
    int records = records();

    Response r = send("/api/v1/tool-calls", body, ALICE);

    assertThat(r.status()).as(shorten(body)).isIn(200, 202, 400, 403, 413);
    if (r.status() != 202) {
      assertThat(approvals()).as(shorten(body)).isEqualTo(approvals);
    }
    if (r.status() == 400) {
      assertThat(records()).as("a request refused as malformed leaves no audit record: " + shorten(body)).isEqualTo(records);
    }
    if (r.status() >= 400) {
      assertThat(r.raw().headers().firstValue("Content-Type")).as(shorten(body)).hasValueSatisfying(t -> assertThat(t).contains("problem+json"));
    }
  }

  @ParameterizedTest
  @MethodSource("explainBodies")
  void explainWithHostileBodiesNeverFailsOnTheServerAndChangesNothing(String body) {
    int approvals = approvals();
    int records = records();

    Response r = send("/api/v1/policy/explain", body, ALICE);

    assertThat(r.status()).as(shorten(body)).isIn(200, 400, 403, 413);
    assertThat(approvals()).as(shorten(body)).isEqualTo(approvals);
    assertThat(records()).as(shorten(body)).isEqualTo(records);
  }

  @ParameterizedTest
  @MethodSource("decisions")
  void decisionsWithHostileBodiesOrIdsNeverFailOnTheServerAndNeverDecide(String body, String id) {
    Response parked = send("/api/v1/tool-calls", "{\"tool\":\"merge_change\",\"arguments\":{\"repo\":\"demo/fuzz\"},"
        + "\"idempotency_key\":\"fuzz-decisions\"}", ALICE);
    String real = parked.body().path("approval_id").asString();
    int records = records();

    Response onReal = send("/api/v1/approvals/" + real + "/decision", body, ADMIN);
    String path = "/api/v1/approvals/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/decision";
    RequestHead head = RequestHead.of(path, ADMIN, server.getMaxHttpRequestHeaderSize().toBytes());
    Integer onOther = statusOrClosed(() -> send(path, body, ADMIN), head);

    assertThat(onReal.status()).as(shorten(body)).isIn(400, 409, 413);
    if (head.surelyOver()) {
      // the container refuses the request head before the engine sees it: 414 when the request line
      // alone is too long, 431 when the headers tip it over, or a connection closed on it; 400 when
      // it refuses the request line for what it holds before counting the head (seed 12345, try 92:
      // a request line just under the limit, the token tipping the head over)
      assertThat(onOther).as(head + " " + shorten(id)).isIn(400, 414, 431, null);
    } else if (head.surelyUnder()) {
      assertThat(onOther).as(shorten(id + " " + body)).isIn(400, 404, 413);
    } else {
      assertThat(onOther).as(head + " " + shorten(id)).isIn(400, 404, 413, 414, 431, null);
    }
    assertThat(get("/api/v1/approvals/" + real, ALICE).body().path("state").asString()).isEqualTo("PENDING");
    assertThat(get("/api/v1/approvals/" + real, ALICE).body().path("votes").size()).isZero();
    assertThat(records()).as(shorten(body)).isEqualTo(records);
  }

  /**
   * Bodies the doors do not take (forms, text, multipart without its boundary, JSON with a charset
   * that does not exist, a wildcard), sent with any method to the REST door and the MCP door: refused
   * with a 4xx, never a 5xx. Each of these used to fail with a 500: a form body Jetty could not decode
   * ({@code %%}) on the REST door (read for Spring's conversion), the same body of a PUT, PATCH or
   * DELETE on any path (Spring's FormContentFilter), and a wildcard Content-Type on the REST door
   * (spring-framework#27957).
   */
  @ParameterizedTest
  @MethodSource("otherContentTypes")
  void bodiesOfOtherContentTypesNeverFailOnTheServer(String method, String path, String contentType, String body)
      throws Exception {
    HttpResponse<String> r = exchange(method, path, body, contentType.isEmpty() ? Map.of()
        : Map.of("Content-Type", contentType));

    assertThat(r.statusCode()).as(method + " " + path + " " + contentType + " " + shorten(body)).isBetween(400, 499);
  }

  /**
   * The MCP door, before any session: what the guard in front of the MCP SDK answers itself, and what
   * the SDK answers through it (a message other than {@code initialize} needs a session). Every
   * refusal is a JSON-RPC error that shows nothing of the server's insides, and nothing is logged at
   * ERROR (the SDK logged a body it could not read there, the caller's text included).
   */
  @ParameterizedTest
  @MethodSource("mcpMessages")
  void mcpMessagesWithHostileBodiesNeverFailOnTheServerNorShowItsInsides(String body) throws Exception {
    HttpResponse<String> r = mcp(body);

    assertThat(r.statusCode()).as(shorten(body)).isIn(200, 202, 400, 413);
    if (r.statusCode() == 400) {
      JsonNode error = JSON.readTree(r.body());
      assertThat(error.path("jsonrpc").asString()).as(shorten(body)).isEqualTo("2.0");
      assertThat(error.path("error").path("code").isInt()).as(r.body()).isTrue();
    }
    assertThat(r.body()).as(shorten(body)).doesNotContain("stackTrace").doesNotContain("io.modelcontextprotocol")
        .doesNotContain("tools.jackson").doesNotContain("java.");
  }

  /**
   * The MCP door inside a session: requests to the tools this caller may use, to tools that do not
   * exist and to other methods, with params from the generator. The SDK answers most of them
   * itself, on the session's stream.
   */
  @ParameterizedTest
  @MethodSource("mcpSessionMessages")
  void mcpMessagesInASessionNeverFailOnTheServerNorShowItsInsides(String body) throws Exception {
    HttpResponse<String> r = mcp(body, session());

    assertThat(r.statusCode()).as(shorten(body)).isIn(200, 202, 400, 413);
    assertThat(r.body()).as(shorten(body)).doesNotContain("stackTrace").doesNotContain("io.modelcontextprotocol")
        .doesNotContain("tools.jackson").doesNotContain("java.");
  }

  private static volatile String session;

  /** One MCP session for the whole class, opened by the first try that needs it. */
  private String session() throws Exception {
    if (session == null) {
      HttpResponse<String> initialized = mcp("""
          {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
           "capabilities":{},"clientInfo":{"name":"fuzz","version":"1"}}}""", null);
      String id = initialized.headers().firstValue("Mcp-Session-Id").orElseThrow();
      assertThat(mcp("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", id).statusCode()).isEqualTo(202);
      session = id;
    }
    return session;
  }

  private HttpResponse<String> mcp(String body) throws Exception {
    return mcp(body, null);
  }

  private HttpResponse<String> mcp(String body, String session) throws Exception {
    Map<String, String> headers = new HashMap<>(Map.of("Content-Type", "application/json",
        "Accept", "application/json, text/event-stream"));
    if (session != null) {
      headers.put("Mcp-Session-Id", session);
    }
    return exchange("POST", "/mcp", body, headers);
  }

  /**
   * Any method, as ALICE, on a client of its own; a body over the engine's limit with
   * {@code Expect: 100-continue}, as {@link #send} explains.
   */
  private HttpResponse<String> exchange(String method, String path, String body, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
        .expectContinue(body.getBytes(StandardCharsets.UTF_8).length > bodyLimit.bytes())
        .header("Authorization", "Bearer " + ALICE).method(method, HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  /**
   * The request head's size against the server's limit ({@code server.max-http-request-header-size},
   * which Jetty applies to the request line and the headers together). What this test sends for sure:
   * the request line and the bearer token; the HTTP client adds a few headers of its own (Host,
   * Content-Length, Content-Type, User-Agent, upgrade headers), and Jetty counts the head its own
   * way, so within {@link #MARGIN} bytes of the limit either outcome is right.
   */
  record RequestHead(int known, long limit) {
    static final int MARGIN = 512;

    static RequestHead of(String path, String token, long limit) {
      int line = ("POST " + path + " HTTP/1.1\r\n").length();
      int authorization = ("Authorization: Bearer " + token + "\r\n").length();
      return new RequestHead(line + authorization, limit);
    }

    boolean surelyOver() {
      return known > limit + MARGIN;
    }

    boolean surelyUnder() {
      return known + MARGIN < limit;
    }

    @Override
    public String toString() {
      return "request head of at least " + known + " bytes, limit " + limit;
    }
  }

  /**
   * The answer's status, or {@code null} when the connection closed without one, which counts only
   * for a request head over the server's limit: on any other request it is a failure.
   */
  private static Integer statusOrClosed(Supplier<Response> send, RequestHead head) {
    try {
      return send.get().status();
    } catch (UncheckedIOException e) {
      if (head.surelyUnder()) {
        throw new AssertionError("the connection closed without an answer on a request within the limit (" + head + ")", e);
      }
      return null;
    }
  }

  /**
   * A POST, with {@code Expect: 100-continue} when its body is over the engine's limit: the engine
   * refuses such a body (413) before reading any of it and closes the connection, and a client still
   * writing it would get a reset instead of the answer; with 100-continue it never sends it. Sent
   * again once, on a new connection, if its connection closed without an answer: the container
   * closes one after refusing a request head over its limit (414/431), and a client reusing it in
   * the same instant gets no answer; that request never reached the server, so it goes again, as
   * browsers do (RFC 9112, section 9.3.1). Within the limit there is no other retry: the engine reads
   * every body to its end, even one it refused at the first bad token
   * ({@link RequestBodyLimit}), so a broken write there would be the engine's fault.
   */
  private Response send(String path, String body, String token) {
    if (body.getBytes(StandardCharsets.UTF_8).length > bodyLimit.bytes()) {
      return postExpectingContinue(path, body, token);
    }
    try {
      return post(path, body, token);
    } catch (UncheckedIOException closed) {
      return post(path, body, token);
    }
  }

  static Stream<Arguments> toolCalls() {
    return Fuzz.tries("DoorFuzzIT.toolCalls", TRIES, fuzz -> List.of(fuzz.toolCallBody()));
  }

  static Stream<Arguments> explainBodies() {
    return Fuzz.tries("DoorFuzzIT.explain", TRIES, fuzz -> List.of(fuzz.toolCallBody()));
  }

  static Stream<Arguments> otherContentTypes() {
    return Fuzz.tries("DoorFuzzIT.contentTypes", TRIES, fuzz -> List.of(
        fuzz.of(List.of("POST", "PUT", "PATCH", "DELETE")),
        fuzz.of(List.of("/api/v1/tool-calls", "/api/v1/policy/explain", "/api/v1/approvals/x/decision", "/mcp")),
        fuzz.of(List.of("application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=x-nope",
            "text/plain", "multipart/form-data", "application/xml", "application/json; charset=x-nope", "*/*",
            "application/*", "")),
        fuzz.oneOf(() -> fuzz.of(List.of("%%", "a=%zz&b", "=&=&%", "a=%C0%AF", "tool=read_notes&arguments=%7B%7D")),
            fuzz::oddText, () -> fuzz.jsonValue(2), fuzz::toolCallBody)));
  }

  static Stream<Arguments> mcpMessages() {
    return Fuzz.tries("DoorFuzzIT.mcp", TRIES, fuzz -> {
      String method = fuzz.oneOf(() -> Fuzz.quote(fuzz.of(List.of("initialize", "tools/call", "tools/list", "ping",
          "notifications/initialized", "resources/read"))), fuzz::jsonString, () -> fuzz.jsonValue(1));
      String message = "{\"jsonrpc\":" + fuzz.oneOf(() -> "\"2.0\"", () -> fuzz.jsonValue(0)) + ",\"id\":"
          + fuzz.jsonValue(0) + ",\"method\":" + method + ",\"params\":" + fuzz.jsonValue(2) + "}";
      return List.of(fuzz.oneOf(() -> message, () -> "[" + message + "]", () -> fuzz.jsonValue(2), fuzz::oddText));
    });
  }

  static Stream<Arguments> mcpSessionMessages() {
    return Fuzz.tries("DoorFuzzIT.mcpSession", TRIES, fuzz -> {
      // no merge_change, no get_approval_status: either may wait for a human for up to 50 s
      String call = "{\"name\":" + fuzz.oneOf(() -> "\"read_notes\"", fuzz::jsonString) + ",\"arguments\":"
          + fuzz.oneOf(() -> "{\"repo\":" + fuzz.jsonValue(1) + "}", () -> fuzz.jsonValue(2)) + "}";
      String method = fuzz.oneOf(() -> Fuzz.quote(fuzz.of(List.of("tools/list", "ping", "logging/setLevel",
          "notifications/cancelled", "resources/read", "prompts/get"))), fuzz::jsonString);
      return List.of(fuzz.oneOf(
          () -> "{\"jsonrpc\":\"2.0\",\"id\":" + fuzz.jsonValue(0) + ",\"method\":\"tools/call\",\"params\":"
              + call + "}",
          () -> "{\"jsonrpc\":\"2.0\",\"id\":" + fuzz.jsonValue(0) + ",\"method\":\"tools/call\",\"params\":"
              + fuzz.jsonValue(2) + "}",
          () -> "{\"jsonrpc\":\"2.0\",\"id\":" + fuzz.jsonValue(0) + ",\"method\":" + method + ",\"params\":"
              + fuzz.jsonValue(2) + "}",
          () -> "{\"jsonrpc\":\"2.0\",\"method\":" + method + ",\"params\":" + fuzz.jsonValue(2) + "}"));
    });
  }

  static Stream<Arguments> decisions() {
    return Fuzz.tries("DoorFuzzIT.decisions", TRIES, fuzz -> {
      String verdict = fuzz.oneOf(() -> fuzz.of(List.of("\"approve\"", "\"deny\"", "\"APPROVE\"",
          "\"approve\\u0000\"", "\"appro\u200Bve\"", "true", "null", "[\"approve\"]")), fuzz::jsonString);
      String fingerprint = fuzz.oneOf(() -> Fuzz.quote(fuzz.from("0123456789abcdef", 64)),
          () -> Fuzz.quote(fuzz.from("0123456789ABCDEFabcdef", fuzz.between(0, 80))), fuzz::jsonString,
          () -> fuzz.of(List.of("null", "64", "{}")));
      String body = fuzz.oneOf(
          () -> "{\"verdict\":" + verdict + ",\"fingerprint\":" + fingerprint + ",\"reason\":" + fuzz.jsonValue(0) + "}",
          () -> fuzz.jsonValue(2), fuzz::oddText);
      String id = fuzz.oneOf(() -> {
        String text = fuzz.oddText();
        return text.isEmpty() ? "x" : text;
      }, () -> "i" + fuzz.anyChars(2000),
          () -> fuzz.of(List.of("..", "%2e%2e", "' OR '1'='1", "00000000-0000-0000-0000-000000000000")));
      return List.of(body, id);
    });
  }

  private static String shorten(String text) {
    return text.length() <= 300 ? text : text.substring(0, 300) + "... (" + text.length() + " characters)";
  }

  private int approvals() {
    return jdbc.queryForObject("SELECT count(*) FROM approval_request", Integer.class);
  }

  private int records() {
    return jdbc.queryForObject("SELECT count(*) FROM audit_record", Integer.class);
  }

}
