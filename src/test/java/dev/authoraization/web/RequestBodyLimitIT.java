package dev.authoraization.web;

import static dev.authoraization.support.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.support.EngineIT;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * The engine's limit on request bodies ({@link RequestBodyLimit}, 1 MB by default) on a real
 * connection, spoken by hand: these tests stop half-way through a body, which an HTTP client
 * library does not do.
 */
class RequestBodyLimitIT extends EngineIT {

  static final String ALICE = token("alice", "developer");
  @Autowired
  JdbcTemplate jdbc;

  @Autowired
  RequestBodyLimit limit;

  @Test
  void aBodyDeclaredOverTheLimitIsRefusedWith413BeforeAnyOfItIsSent() throws IOException {
    int records = records();
    try (var http = new Connection(port)) {
      http.send(head("/api/v1/tool-calls", ALICE, (int) limit.bytes() + 1) + "Expect: 100-continue\r\n\r\n");

      Head refused = http.head(); // not 100 Continue: the body is never asked for

      assertThat(refused.status()).isEqualTo(413);
      assertThat(refused.headers()).containsEntry("content-type", "application/problem+json");
      JsonNode problem = JSON.readTree(http.body(refused));
      assertThat(problem.path("code").asString()).isEqualTo("request_too_large");
      assertThat(problem.path("detail").asString()).contains("engine.server.max-request-body-size");
    }
    assertThat(records()).isEqualTo(records);
  }

  @Test
  void aChunkedBodyIsRefusedWith413AsSoonAsItPassesTheLimitAndNothingRuns() throws IOException {
    int records = records();
    int approvals = approvals();
    try (var http = new Connection(port)) {
      http.send(head("/api/v1/tool-calls", ALICE, -1) + "Transfer-Encoding: chunked\r\n\r\n");
      byte[] start = "{\"tool\":\"merge_change\",\"arguments\":{\"repo\":\"demo/webapp\",\"note\":\"".getBytes(StandardCharsets.UTF_8);
      http.chunk(start);
      byte[] filler = "a".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
      // the chunk that passes the limit is the last one sent: nothing is left unread when the
      // engine answers and closes, so the answer cannot be lost to a reset
      for (int sent = start.length; sent <= limit.bytes(); sent += filler.length) {
        http.chunk(filler);
      }

      Head refused = http.head();

      assertThat(refused.status()).isEqualTo(413);
      assertThat(JSON.readTree(http.body(refused)).path("code").asString()).isEqualTo("request_too_large");
    }
    assertThat(records()).isEqualTo(records);
    assertThat(approvals()).isEqualTo(approvals);
  }

  @Test
  void aBodyRefusedAtItsFirstBadTokenIsReadToItsEndAndTheConnectionServesTheNextRequest() throws IOException {
    byte[] body = ("{\"tool\":\"list_issues\",\"arguments\":{\"n\":1x" + " ".repeat(200_000) + "}}")
        .getBytes(StandardCharsets.US_ASCII);
    int firstPart = 1024;
    try (var http = new Connection(port)) {
      http.send(head("/api/v1/tool-calls", ALICE, body.length) + "\r\n");
      http.send(body, 0, firstPart);

      Head refused = http.head(); // answered while most of the body is still unsent
      http.send(body, firstPart, body.length - firstPart);

      assertThat(refused.status()).isEqualTo(400);
      http.body(refused);
      assertThat(nextRequestAnswered(http)).isTrue();
    }
  }

  @Test
  void aBodySentWithoutATokenIsReadToItsEndSoTheClientGetsThe401() throws IOException {
    byte[] body = ("{\"tool\":\"list_issues\",\"arguments\":{\"filler\":\"" + "a".repeat(300_000) + "\"}}")
        .getBytes(StandardCharsets.US_ASCII);
    try (var http = new Connection(port)) {
      http.send(head("/api/v1/tool-calls", null, body.length) + "\r\n");
      http.send(body, 0, 1024);

      Head refused = http.head();
      http.send(body, 1024, body.length - 1024);

      assertThat(refused.status()).isEqualTo(401);
      http.body(refused);
      assertThat(nextRequestAnswered(http)).isTrue();
    }
  }

  @Test
  void aClientExpectingContinueIsAnsweredWithoutBeingAskedForItsBody() throws IOException {
    try (var http = new Connection(port)) {
      // a path nothing serves: the 404 is written (not closed) before the engine would drain
      http.send(head("/api/v1/no-such-endpoint", ALICE, 300_000) + "Expect: 100-continue\r\n\r\n");

      Head refused = http.head(); // a 100 Continue here would fail: nobody asked for the body

      assertThat(refused.status()).isEqualTo(404);
      // the answer ends without the body being sent: a drain waiting for it would hold the answer
      // open until the read times out; then the connection serves the next request or is closed
      assertThat(JSON.readTree(http.body(refused)).path("status").asInt()).isEqualTo(404);
      try {
        assertThat(nextRequestAnswered(http)).isTrue();
      } catch (EOFException | SocketException closed) {
        // closed by the server: the client keeps its body and opens a new connection
      }
    }
  }

  @Test
  void theMcpDoorRefusesABodyDeclaredOverTheLimitBeforeTheProtocolReadsIt() throws IOException {
    try (var http = new Connection(port)) {
      http.send(head("/mcp", ALICE, (int) limit.bytes() + 1) + "Expect: 100-continue\r\n\r\n");

      Head refused = http.head();

      assertThat(refused.status()).isEqualTo(413);
      assertThat(JSON.readTree(http.body(refused)).path("code").asString()).isEqualTo("request_too_large");
    }
  }

  @Test
  void theMcpDoorAnswersAChunkedBodyOverTheLimitWith413NotWithTheSdks500() throws IOException {
    try (var http = new Connection(port)) {
      http.send(head("/mcp", ALICE, -1) + "Accept: application/json, text/event-stream\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n");
      byte[] filler = "a".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
      for (int sent = 0; sent <= limit.bytes(); sent += filler.length) { // the last chunk passes the limit
        http.chunk(filler);
      }

      Head refused = http.head();

      assertThat(refused.status()).isEqualTo(413);
      assertThat(JSON.readTree(http.body(refused)).path("code").asString()).isEqualTo("request_too_large");
    }
  }

  private static String head(String path, String token, int length) {
    return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
        + (length < 0 ? "" : "Content-Length: " + length + "\r\n");
  }

  private static boolean nextRequestAnswered(Connection http) throws IOException {
    http.send("GET /actuator/health/liveness HTTP/1.1\r\nHost: localhost\r\n\r\n");
    Head next = http.head();
    http.body(next);
    return next.status() == 200;
  }

  private int records() {
    return jdbc.queryForObject("SELECT count(*) FROM audit_record", Integer.class);
  }

  private int approvals() {
    return jdbc.queryForObject("SELECT count(*) FROM approval_request", Integer.class);
  }

  record Head(int status, Map<String, String> headers) {}

  /** One HTTP/1.1 connection; a read that takes over 20 s fails the test. */
  private static final class Connection implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    Connection(int port) throws IOException {
      socket = new Socket("localhost", port);
      socket.setSoTimeout(20_000);
      in = socket.getInputStream();
      out = socket.getOutputStream();
    }

    void send(String text) throws IOException {
      out.write(text.getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }

    void send(byte[] bytes, int offset, int length) throws IOException {
      out.write(bytes, offset, length);
      out.flush();
    }

    void chunk(byte[] bytes) throws IOException {
      send(Integer.toHexString(bytes.length) + "\r\n");
      send(bytes, 0, bytes.length);
      send("\r\n");
    }

    /** The status line and headers of the next final answer (interim 1xx answers are a failure). */
    Head head() throws IOException {
      String status = line();
      Map<String, String> headers = new HashMap<>();
      for (String line = line(); !line.isEmpty(); line = line()) {
        int colon = line.indexOf(':');
        headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
      }
      return new Head(Integer.parseInt(status.split(" ")[1]), headers);
    }

    String body(Head head) throws IOException {
      var body = new ByteArrayOutputStream();
      if ("chunked".equalsIgnoreCase(head.headers().get("transfer-encoding"))) {
        for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0;
            size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
          body.write(in.readNBytes(size));
          line();
        }
        line();
      } else if (head.headers().containsKey("content-length")) {
        body.write(in.readNBytes(Integer.parseInt(head.headers().get("content-length"))));
      } else { // neither: the body ends where the server closes the connection
        body.write(in.readAllBytes());
      }
      return body.toString(StandardCharsets.UTF_8);
    }

    private String line() throws IOException {
      var line = new StringBuilder();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          throw new EOFException("connection closed after: " + line);
        }
        if (c != '\r') {
          line.append((char) c);
        }
      }
      return line.toString();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
