package dev.authoraization.cluster;

import static dev.authoraization.support.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.authoraization.support.TestDatabases;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import tools.jackson.databind.JsonNode;

/**
 * Two real engine processes on one PostgreSQL database: a merge asked for on node A, approved on
 * node B, answers the caller's long poll on A; and many duplicate follow-ups on both nodes merge
 * exactly once. Node A serves the sandbox forge (its Git repositories live on A's disk); both
 * nodes reach it through the GitHub client with the sandbox App's key.
 */
class TwoNodesIT {

  static final String ALICE = token("alice", "developer");
  static final String ADMIN = token("admin", "approver");

  static final String WEB_PASSWORD = "two-nodes-" + java.util.UUID.randomUUID();

  static EngineProcess a;
  static EngineProcess b;
  static JdbcTemplate db;

  @BeforeAll
  static void twoNodes() throws Exception {
    String url = TestDatabases.postgresUrl();
    db = new JdbcTemplate(new DriverManagerDataSource(url, "postgres", "postgres"));
    Path root = Files.createTempDirectory("two-nodes");
    Map<String, String> common = Map.of(
        "spring.datasource.url", url,
        "spring.datasource.username", "postgres",
        "spring.datasource.password", "postgres");
    int portA = EngineProcess.freePort();
    String issuer = "http://localhost:" + portA;
    a = new EngineProcess("A", root.resolve("a"), portA, with(common, Map.of(
        "engine.github.api-url", "http://localhost:" + portA + "/sandbox/github",
        // the built-in provider on A signs browsers in for both nodes (sessionsAreSharedByTheTwoProcesses)
        "engine.identity.embedded.issuer", issuer,
        "engine.identity.embedded.redirect-uris[0]", issuer + "/login/oauth2/code/engine",
        "engine.identity.embedded.users[0].username", "alice",
        "engine.identity.embedded.users[0].password", WEB_PASSWORD,
        "engine.identity.embedded.users[0].roles[0]", "developer")));
    Path sandboxKey = a.dir.resolve("data/sandbox/app-private-key.pem");
    b = new EngineProcess("B", root.resolve("b"), EngineProcess.freePort(), with(common, Map.of(
        "engine.github.api-url", "http://localhost:" + a.port + "/sandbox/github",
        "engine.github.app.private-key-path", sandboxKey.toString(),
        "engine.sandbox.enabled", "false",
        "engine.identity.embedded.enabled", "false",
        // B's web UI signs in at A's provider (discovered from its issuer), as a second node behind
        // one address would; B reads the sessions A writes
        "spring.security.oauth2.client.registration.engine.client-id", "engine-web",
        "spring.security.oauth2.client.registration.engine.client-authentication-method", "none",
        "spring.security.oauth2.client.registration.engine.scope", "openid,profile",
        "spring.security.oauth2.client.provider.engine.issuer-uri", issuer)));
    a.start();
    // A creates the sandbox App key early in its start; B needs it, and Flyway runs once, on A
    a.awaitReady();
    b.start().awaitReady();
  }

  @AfterAll
  static void stop() {
    if (a != null) {
      a.kill();
    }
    if (b != null) {
      b.kill();
    }
  }

  @Test
  void mergeAskedOnAApprovedOnBAnswersTheLongPollOnAWithTheMerge() throws Exception {
    int number = a.primeDemo(ALICE);
    JsonNode parked = a.parkMerge(number, ALICE);
    String id = parked.path("approval_id").asString();
    // the caller is parked on A (its poll has not returned) before anyone decides
    CompletableFuture<EngineProcess.Response> poll = a.parkedPoll(id, ALICE, 30);

    EngineProcess.Response decided = b.approve(parked, ADMIN);
    assertThat(decided.status()).isEqualTo(200);

    EngineProcess.Response done = poll.get();
    assertThat(done.body().path("state").asString()).isEqualTo("EXECUTED");
    assertThat(done.body().path("result").path("sha").asString()).hasSize(40);
    assertThat(b.pullRequest(number, ALICE).path("merged").asBoolean()).isTrue();
    assertThat(count("approval.claimed", id)).isEqualTo(1);
    assertThat(count("call.executed", id)).isEqualTo(1);
  }

  /**
   * The MCP SDK keeps a session in the memory of the node that opened it; B takes up the session
   * opened on A for the caller who opened it (a load balancer without affinity sends the client
   * there) and serves its calls, and the client's cancellation, sent to A, withdraws the merge
   * waiting on B.
   */
  @Test
  void anMcpSessionOpenedOnAIsServedOnBAndACancellationOnAWithdrawsTheMergeWaitingOnB() throws Exception {
    int number = a.primeDemo(ALICE);
    HttpResponse<String> opened = a.mcp(ALICE, null, """
        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
         "capabilities":{},"clientInfo":{"name":"two-nodes","version":"1"}}}""");
    assertThat(opened.statusCode()).isEqualTo(200);
    String session = opened.headers().firstValue("Mcp-Session-Id").orElseThrow();
    assertThat(a.mcp(ALICE, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")
        .statusCode()).isEqualTo(202);

    HttpResponse<String> listedOnB = b.mcp(ALICE, session,
        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
    HttpResponse<String> strangerOnB = b.mcp(token("mallory", "developer"), session,
        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");

    assertThat(listedOnB.statusCode()).isEqualTo(200);
    assertThat(listedOnB.body()).contains("merge_pull_request");
    assertThat(strangerOnB.statusCode()).isEqualTo(404);

    CompletableFuture<HttpResponse<String>> merge = CompletableFuture.supplyAsync(() -> b.mcp(ALICE, session, """
        {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"merge_pull_request",
         "arguments":{"owner":"demo","repo":"webapp","pull_number":%d}}}""".formatted(number)));
    JsonNode request = await().atMost(Duration.ofSeconds(30))
        .until(() -> pendingMerge(number), found -> found != null);
    assertThat(merge).isNotDone();

    assertThat(a.mcp(ALICE, session, """
        {"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":3}}""").statusCode())
        .isEqualTo(202);

    assertThat(merge.get(30, TimeUnit.SECONDS).body()).contains("approval_cancelled");
    assertThat(db.queryForObject("SELECT COUNT(*) FROM mcp_waiting_call WHERE session_id = ?", Long.class, session))
        .as("the call's row goes when it is answered").isZero();
    assertThat(a.post("/api/v1/approvals/" + request.path("id").asString() + "/decision",
        "{\"verdict\":\"approve\",\"fingerprint\":\"" + request.path("fingerprint").asString() + "\"}", ADMIN)
        .status()).isEqualTo(409);
    assertThat(a.pullRequest(number, ALICE).path("merged").asBoolean()).isFalse();
  }

  /** Alice's pending merge of pull request {@code number}, as approvers see it; null while there is none. */
  private static @Nullable JsonNode pendingMerge(int number) {
    for (JsonNode request : a.get("/api/v1/approvals", ADMIN).body()) {
      if (request.path("tool").asString().equals("merge_pull_request")
          && request.path("arguments").path("pull_number").asInt() == number
          && request.path("state").asString().equals("PENDING")) {
        return request;
      }
    }
    return null;
  }


  @Test
  void hundredConcurrentFollowUpsOnBothNodesMergeExactlyOnce() throws Exception {
    int number = a.primeDemo(ALICE);
    JsonNode parked = a.parkMerge(number, ALICE);
    String id = parked.path("approval_id").asString();
    List<Future<EngineProcess.Response>> followUps = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      // both nodes see APPROVED at once: B from its own commit, A by NOTIFY; 100 follow-ups
      // on both nodes also try to run it
      Future<EngineProcess.Response> decided =
          pool.submit(() -> b.approve(parked, ADMIN));
      for (int i = 0; i < 100; i++) {
        EngineProcess node = i % 2 == 0 ? a : b;
        followUps.add(pool.submit(() -> node.get("/api/v1/approvals/" + id + "?wait=30", ALICE)));
      }
      assertThat(decided.get().status()).isEqualTo(200);
      List<String> shas = new ArrayList<>();
      for (Future<EngineProcess.Response> f : followUps) {
        EngineProcess.Response r = f.get();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("state").asString()).isEqualTo("EXECUTED");
        shas.add(r.body().path("result").path("sha").asString());
      }
      assertThat(shas).as("every follow-up sees the one merge commit").containsOnly(shas.getFirst());
    }
    assertThat(count("approval.claimed", id)).isEqualTo(1);
    assertThat(count("call.executed", id)).isEqualTo(1);
    assertThat(count("call.failed", id)).isZero();
    assertThat(a.pullRequest(number, ALICE).path("merged").asBoolean()).isTrue();
  }





  /**
   * Sessions in the database, in two real processes (each with the packaged jar's class loader):
   * the chat signed in on A is signed in on B with the same cookie; signed out on A, it is
   * anonymous on B.
   */
  @Test
  void sessionsAreSharedByTheTwoProcesses() {
    String baseA = "http://localhost:" + a.port;
    String baseB = "http://localhost:" + b.port;
    SessionsAcrossNodesIT.Browser browser = new SessionsAcrossNodesIT.Browser(baseA, WEB_PASSWORD);
    browser.startChatSignIn();
    browser.signInToProvider("alice");
    String session = browser.finishChatSignIn();

    java.net.http.HttpResponse<String> onB = SessionsAcrossNodesIT.get(baseB + "/chat", session);
    assertThat(onB.statusCode()).isEqualTo(200);
    assertThat(onB.body()).contains("alice", "id=\"composer\"");

    String csrf = SessionsAcrossNodesIT.csrf(SessionsAcrossNodesIT.get(baseA + "/chat", session).body());
    assertThat(SessionsAcrossNodesIT.post(baseA + "/chat/logout", "_csrf=" + SessionsAcrossNodesIT.enc(csrf), session)
        .statusCode()).isEqualTo(302);
    assertThat(SessionsAcrossNodesIT.get(baseB + "/chat", session).statusCode()).isEqualTo(302);
  }

  private static int count(String event, String approvalId) {
    return db.queryForObject("SELECT count(*) FROM audit_record WHERE event = ? AND approval_id = ?",
        Integer.class, event, approvalId);
  }

  private static Map<String, String> with(Map<String, String> common, Map<String, String> more) {
    var all = new java.util.HashMap<>(common);
    all.putAll(more);
    return all;
  }
}
