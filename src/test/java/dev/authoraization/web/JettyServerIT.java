package dev.authoraization.web;

import static dev.authoraization.support.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.support.EngineIT;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.ServletHandler;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.VirtualThreadPool;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.test.context.TestPropertySource;

/**
 * The engine's Jetty as configured in application.yml (docs/adr/0015-jetty.md), with a 1 s
 * connection idle timeout so a test can outlast it: the idle timeout closes an idle connection but
 * not one whose request is parked in a long poll, and the limits are the ones the long polls need
 * ({@link JettyConfiguration}, the {@code server.jetty} block).
 */
@TestPropertySource(properties = "server.jetty.connection-idle-timeout=1s")
class JettyServerIT extends EngineIT {

  static final String ALICE = token("alice", "developer");
  static final String MERGE = "{\"tool\":\"merge_change\",\"arguments\":{\"repo\":\"demo/webapp\"}}";

  @Autowired
  WebServerApplicationContext context;

  @Test
  void anIdleConnectionIsClosedOnceTheIdleTimeoutPasses() throws IOException {
    try (Socket client = new Socket("localhost", port)) {
      client.setSoTimeout((int) Duration.ofSeconds(20).toMillis());
      client.getOutputStream().write(("GET /actuator/health/liveness HTTP/1.1\r\nHost: localhost\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      long started = System.nanoTime();

      String answered = readUntilClosed(client.getInputStream()); // a read timeout fails the test

      assertThat(answered).startsWith("HTTP/1.1 200");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }
  }

  @Test
  void aLongPollOutlastsTheIdleTimeoutAndAnswersWhenItsWaitEnds() {
    String id = post("/api/v1/tool-calls", MERGE, ALICE).body().path("approval_id").asString();
    long started = System.nanoTime();

    Response waited = get("/api/v1/approvals/" + id + "?wait=3", ALICE);

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
    assertThat(waited.status()).isEqualTo(200);
    assertThat(waited.body().path("id").asString()).isEqualTo(id);
    assertThat(waited.body().path("state").asString()).isEqualTo("PENDING");
  }

  @Test
  void newConnectionsWaitInABacklogOfAThousandWhileAllConnectionsAreTaken() {
    Server server = ((JettyWebServer) context.getWebServer()).getServer();

    assertThat(server.getConnectors()).singleElement().isInstanceOfSatisfying(ServerConnector.class,
        connector -> assertThat(connector.getAcceptQueueSize()).isEqualTo(1000));
  }

  /**
   * With virtual threads Jetty bounds the requests running at once (its default: 200). An MCP call
   * waits for its approval on its request's thread, so that bound is the connection limit: a few
   * hundred waiting MCP calls must not queue the approver's requests behind them (as behaviour:
   * {@code McpDoorIT.moreWaitingCallsThanJettysDefaultRequestLimitLeaveRoomForTheApproverAndAllAreAnswered}).
   */
  @Test
  void requestsRunningAtOnceAreBoundedByTheConnectionLimitNotByAThreadCount() {
    Server server = ((JettyWebServer) context.getWebServer()).getServer();
    NetworkConnectionLimit connections = server.getBean(NetworkConnectionLimit.class);

    assertThat(connections.getMaxNetworkConnectionCount()).isEqualTo(12_000);
    assertThat(server.getThreadPool()).isInstanceOfSatisfying(VirtualThreadPool.class,
        pool -> assertThat(pool.getMaxConcurrentTasks()).isGreaterThanOrEqualTo(connections.getMaxNetworkConnectionCount()));
  }

  /** Nothing in the engine speaks WebSocket, so Jetty offers no upgrade anywhere (ADR 0015). */
  @Test
  void aWebSocketUpgradeIsRefusedAndNoUpgradeFilterRunsInFrontOfRequests() throws IOException {
    Server server = ((JettyWebServer) context.getWebServer()).getServer();

    assertThat(server.getDescendants(ServletHandler.class)).isNotEmpty().allSatisfy(servlets ->
        assertThat(servlets.getFilters()).extracting(FilterHolder::getClassName)
            .noneMatch(name -> name.toLowerCase(Locale.ROOT).contains("websocket")));
    try (Socket client = new Socket("localhost", port)) {
      client.setSoTimeout((int) Duration.ofSeconds(20).toMillis());
      client.getOutputStream().write(("GET /mcp HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\n"
          + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Authorization: Bearer " + ALICE + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));

      String status = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII)).readLine();

      assertThat(status).startsWith("HTTP/1.1 ").doesNotStartWith("HTTP/1.1 101");
    }
  }

  private static String readUntilClosed(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toString(StandardCharsets.US_ASCII);
  }
}
