package dev.authoraization.mcp;

import static dev.authoraization.support.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.approval.ApprovalState;
import dev.authoraization.approval.Approvals;
import dev.authoraization.support.EngineIT;
import dev.authoraization.support.FakeTools;
import dev.authoraization.support.RawMcp;
import dev.authoraization.support.TestTokens;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.McpHttpClientTransportAuthorizationException;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** The MCP door end to end, through the official MCP Java SDK client and raw HTTP. */
class McpDoorIT extends EngineIT {

  static final String ADMIN = token("admin", "approver");
  static final Map<String, Object> DEMO = Map.of("repo", "demo/webapp");

  @Autowired
  McpTools mcpTools;

  @Autowired
  Approvals approvals;

  @Autowired
  JdbcClient jdbc;

  @Autowired
  SharedSessions sharedSessions;

  private final List<McpSyncClient> clients = new CopyOnWriteArrayList<>();
  private final List<McpSchema.ProgressNotification> progress = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    clients.forEach(McpSyncClient::closeGracefully);
    mcpTools.progressInterval(Duration.ofSeconds(15));
  }

  McpSyncClient client(@Nullable String bearer) {
    HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder("http://localhost:" + port)
        .endpoint("/mcp")
        .httpRequestCustomizer((request, method, uri, body, context) -> {
          if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
          }
        })
        .build();
    McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30))
        .progressConsumer(progress::add).build();
    clients.add(client);
    return client;
  }

  static List<String> names(McpSyncClient client) {
    return client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
  }

  static JsonNode json(CallToolResult result) {
    return JSON.readTree(((McpSchema.TextContent) result.content().getFirst()).text());
  }

  /** Waits until the caller's merge request shows up for approvers, and returns it. */
  JsonNode pendingMergeOf(String subject) {
    return await().atMost(Duration.ofSeconds(10)).until(() -> {
      for (JsonNode request : get("/api/v1/approvals", ADMIN).body()) {
        if (request.path("requester").path("subject").asString().equals(subject)
            && request.path("tool").asString().equals("merge_change")) {
          return request;
        }
      }
      return null;
    }, found -> found != null);
  }

  Response decide(JsonNode request, String verdict) {
    return post("/api/v1/approvals/" + request.path("id").asString() + "/decision",
        "{\"verdict\":\"" + verdict + "\",\"fingerprint\":\"" + request.path("fingerprint").asString()
            + "\",\"reason\":\"not this week\"}", ADMIN);
  }

  /** On its own thread: the common pool may have a single worker on a small machine. */
  CompletableFuture<CallToolResult> inBackground(McpSyncClient client, CallToolRequest request) {
    CompletableFuture<CallToolResult> result = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> {
      try {
        result.complete(client.callTool(request));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    return result;
  }

  static String subject() {
    return "dev-" + UUID.randomUUID();
  }

  @Test
  void developerSeesTheGuardedToolsWithTheirSchemasAndTheStatusTool() {
    McpSyncClient client = client(token(subject(), "developer"));

    List<McpSchema.Tool> tools = client.listTools().tools();

    assertThat(tools).extracting(McpSchema.Tool::name)
        .containsExactlyInAnyOrder("read_notes", "merge_change", McpTools.STATUS_TOOL);
    McpSchema.Tool read = tools.stream().filter(t -> t.name().equals("read_notes")).findFirst().orElseThrow();
    assertThat(read.inputSchema()).containsEntry("required", List.of("repo"))
        .containsEntry("properties", Map.of("repo", Map.of("type", "string")));
  }

  @Test
  void callerWhosePolicyAllowsNothingSeesOnlyTheStatusTool() {
    assertThat(names(client(token("guest-" + UUID.randomUUID(), "guest")))).containsExactly(McpTools.STATUS_TOOL);
    assertThat(names(client(token("nobody-" + UUID.randomUUID())))).containsExactly(McpTools.STATUS_TOOL);
  }

  @Test
  void allowedReadReturnsTheToolResultAsTextAndStructuredContent() {
    CallToolResult result = client(token(subject(), "developer")).callTool(new CallToolRequest("read_notes", DEMO));

    assertThat(result.isError()).isFalse();
    assertThat(json(result).path("tool").asString()).isEqualTo("read_notes");
    assertThat(json(result).path("repo").asString()).isEqualTo("demo/webapp");
    assertThat(result.structuredContent()).isEqualTo(Map.of("tool", "read_notes", "repo", "demo/webapp"));
    assertThat(result.toString()).doesNotContain(FakeTools.CANARY);
  }

  @Test
  void callPolicyDeniesComesBackAsToolErrorWithTheReason() {
    CallToolResult result = client(token("guest-" + UUID.randomUUID(), "guest"))
        .callTool(new CallToolRequest("read_notes", DEMO));

    assertThat(result.isError()).isTrue();
    assertThat(json(result).path("code").asString()).isEqualTo("denied");
    assertThat(json(result).path("reason").asString()).isEqualTo("no_matching_rule");
  }

  @Test
  void mergeApprovedWhileTheCallWaitsReturnsTheResultOfTheMerge() throws Exception {
    String alice = subject();
    McpSyncClient client = client(token(alice, "developer"));
    int before = tools.executions.get();

    CompletableFuture<CallToolResult> call = inBackground(client, new CallToolRequest("merge_change", DEMO));
    JsonNode request = pendingMergeOf(alice);
    assertThat(call).isNotDone();
    assertThat(decide(request, "approve").status()).isEqualTo(200);
    CallToolResult result = call.get(20, TimeUnit.SECONDS);

    assertThat(result.isError()).isFalse();
    assertThat(json(result).path("tool").asString()).isEqualTo("merge_change");
    assertThat(json(result).path("repo").asString()).isEqualTo("demo/webapp");
    assertThat(tools.executions.get()).isEqualTo(before + 1);
  }

  @Test
  void mergeDeniedWhileTheCallWaitsComesBackAsToolErrorAndNothingRuns() throws Exception {
    String alice = subject();
    McpSyncClient client = client(token(alice, "developer"));
    int before = tools.executions.get();

    CompletableFuture<CallToolResult> call = inBackground(client, new CallToolRequest("merge_change", DEMO));
    assertThat(decide(pendingMergeOf(alice), "deny").status()).isEqualTo(200);
    CallToolResult result = call.get(20, TimeUnit.SECONDS);

    assertThat(result.isError()).isTrue();
    assertThat(json(result).path("status").asString()).isEqualTo("denied");
    assertThat(json(result).path("code").asString()).isEqualTo("approval_denied");
    assertThat(json(result).path("message").asString()).isNotBlank();
    assertThat(tools.executions.get()).isEqualTo(before);
  }

  /**
   * An MCP call waits for its approval on its request's thread, so Jetty's bound on requests
   * running at once (200 by default with virtual threads) would let 200 waiting calls queue
   * everything behind them, the approver's requests included (application.yml raises it to the
   * connection limit). 250 calls wait at once; the approver is answered while they wait, and each
   * of them gets its own answer when denied.
   */
  @Test
  void moreWaitingCallsThanJettysDefaultRequestLimitLeaveRoomForTheApproverAndAllAreAnswered() throws Exception {
    int calls = 250;
    String developer = subject();
    String bearer = token(developer, "developer");
    try (HttpClient http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor())
        .connectTimeout(Duration.ofSeconds(10)).build()) {
      List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        String session = initialize(bearer);
        waiting.add(http.sendAsync(mcp(bearer, session, """
            {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"merge_change",
             "arguments":{"repo":"demo/webapp"}}}""").build(), HttpResponse.BodyHandlers.ofString()));
      }
      List<ApprovalRequest> parked = await().atMost(Duration.ofSeconds(40)).until(() -> approvals.pending(10_000)
          .stream().filter(r -> r.call().caller().subject().equals(developer)).toList(), r -> r.size() == calls);

      HttpResponse<String> approverView = http.send(HttpRequest.newBuilder(uri("/api/v1/approvals"))
          .header("Authorization", "Bearer " + ADMIN).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(approverView.statusCode()).isEqualTo(200);
      assertThat(waiting).noneMatch(CompletableFuture::isDone);
      for (ApprovalRequest request : parked) {
        assertThat(post("/api/v1/approvals/" + request.id() + "/decision", "{\"verdict\":\"deny\",\"fingerprint\":\""
            + request.fingerprint().hex() + "\",\"reason\":\"not now\"}", ADMIN).status()).isEqualTo(200);
      }
      for (CompletableFuture<HttpResponse<String>> call : waiting) {
        HttpResponse<String> answered = call.get(60, TimeUnit.SECONDS);
        assertThat(answered.statusCode()).isEqualTo(200);
        assertThat(answered.body()).contains("approval_denied");
      }
    }
  }

  /**
   * The user stops a call that waits for approval (every MCP client sends {@code notifications/cancelled}
   * then): the request is withdrawn, so an approver's later yes runs nothing.
   */
  @Test
  void aMergeWhoseClientCancelsTheWaitingCallIsWithdrawnAndALaterApprovalRunsNothing() throws Exception {
    String alice = subject();
    String bearer = token(alice, "developer");
    int before = tools.executions.get();
    try (HttpClient http = HttpClient.newHttpClient()) {
      String session = initialize(bearer);
      CompletableFuture<HttpResponse<String>> call = http.sendAsync(mcp(bearer, session, """
          {"jsonrpc":"2.0","id":"merge-1","method":"tools/call","params":{"name":"merge_change",
           "arguments":{"repo":"demo/webapp"}}}""").build(), HttpResponse.BodyHandlers.ofString());
      JsonNode request = pendingMergeOf(alice);

      HttpResponse<String> cancelled = http.send(mcp(bearer, session, """
          {"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"merge-1",
           "reason":"The user stopped the call"}}""").build(), HttpResponse.BodyHandlers.ofString());

      assertThat(cancelled.statusCode()).isEqualTo(202);
      ApprovalRequest withdrawn = approvals.get(request.path("id").asString());
      assertThat(withdrawn.state()).isEqualTo(ApprovalState.CANCELLED);
      assertThat(withdrawn.reason()).isEqualTo("cancelled_by_requester");
      assertThat(call.get(20, TimeUnit.SECONDS).body()).contains("approval_cancelled");
      assertThat(decide(request, "approve").status()).isEqualTo(409);
      assertThat(tools.executions.get()).isEqualTo(before);
    }
  }

  @Test
  void aCancellationWithSomeoneElsesTokenLeavesTheWaitingCallAndItsRequestAlone() throws Exception {
    String alice = subject();
    String bearer = token(alice, "developer");
    try (HttpClient http = HttpClient.newHttpClient()) {
      String session = initialize(bearer);
      CompletableFuture<HttpResponse<String>> call = http.sendAsync(mcp(bearer, session, """
          {"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"merge_change",
           "arguments":{"repo":"demo/webapp"}}}""").build(), HttpResponse.BodyHandlers.ofString());
      JsonNode request = pendingMergeOf(alice);

      HttpResponse<String> forged = http.send(mcp(token(subject(), "developer"), session,
          "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":7}}").build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(forged.statusCode()).isEqualTo(202);
      assertThat(approvals.get(request.path("id").asString()).state()).isEqualTo(ApprovalState.PENDING);
      assertThat(call).isNotDone();
      assertThat(decide(request, "approve").status()).isEqualTo(200);
      assertThat(call.get(20, TimeUnit.SECONDS).body()).contains("demo/webapp").doesNotContain("isError\":true");
    }
  }

  /** Waiting for a request made earlier is only a read: stopping it leaves the request to its approvers. */
  @Test
  void cancellingAWaitForTheStatusLeavesTheRequestPending() throws Exception {
    String alice = subject();
    String bearer = token(alice, "developer");
    String id = json(client(bearer).callTool(CallToolRequest.builder("merge_change").arguments(DEMO)
        .meta(Map.of(McpTools.MAX_WAIT_META, 0)).build())).path("approval_id").asString();
    try (HttpClient http = HttpClient.newHttpClient()) {
      String session = initialize(bearer);
      CompletableFuture<HttpResponse<String>> waiting = http.sendAsync(mcp(bearer, session, """
          {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"%s",
           "arguments":{"approval_id":"%s","wait_seconds":30}}}""".formatted(McpTools.STATUS_TOOL, id)).build(),
          HttpResponse.BodyHandlers.ofString());

      HttpResponse<String> cancelled = http.send(mcp(bearer, session,
          "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":3}}").build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(cancelled.statusCode()).isEqualTo(202);
      assertThat(approvals.get(id).state()).isEqualTo(ApprovalState.PENDING);
      assertThat(decide(pendingMergeOf(alice), "deny").status()).isEqualTo(200);
      assertThat(waiting.get(20, TimeUnit.SECONDS).body()).contains("approval_denied");
    }
  }

  @Test
  void anOpenedSessionIsRecordedSoThatAnyNodeCanServeItAndItsEndIsToo() throws Exception {
    String alice = subject();
    String bearer = token(alice, "developer");
    try (HttpClient http = HttpClient.newHttpClient()) {
      String session = initialize(bearer);

      assertThat(jdbc.sql("SELECT owner_issuer, owner_subject, protocol_version FROM mcp_session WHERE id = ?")
          .param(session).query().singleRow())
          .containsEntry("owner_issuer", TestTokens.ISSUER).containsEntry("owner_subject", alice)
          .containsEntry("protocol_version", "2025-06-18");

      HttpResponse<String> ended = http.send(mcp(bearer, session, "").method("DELETE",
          HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(ended.statusCode()).isLessThan(300);
      assertThat(jdbc.sql("SELECT COUNT(*) FROM mcp_session WHERE id = ?").param(session).query(Long.class).single())
          .isZero();
    }
  }

  /**
   * A session another node opened (the row it wrote, and a session id this node's SDK never
   * issued) is taken up here for the caller who opened it: their requests are answered, a call's
   * result included, where the SDK alone answered 404.
   */
  @Test
  void aSessionOpenedOnAnotherNodeIsServedHereForTheCallerWhoOpenedIt() throws Exception {
    String alice = subject();
    String bearer = token(alice, "developer");
    String session = openedElsewhere(alice);
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> listed = http.send(mcp(bearer, session,
          "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}").build(), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> called = http.send(mcp(bearer, session, """
          {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"read_notes",
           "arguments":{"repo":"demo/webapp"}}}""")
          .build(), HttpResponse.BodyHandlers.ofString());

      assertThat(listed.statusCode()).isEqualTo(200);
      assertThat(listed.body()).contains("read_notes", "merge_change");
      assertThat(called.statusCode()).isEqualTo(200);
      assertThat(called.body()).contains("\"isError\":false");
    }
  }

  @Test
  @ExtendWith(OutputCaptureExtension.class)
  void manyFirstRequestsAtOnceOfASessionOpenedElsewhereTakeItUpOnce(CapturedOutput output) throws Exception {
    String alice = subject();
    String bearer = token(alice, "developer");
    String session = openedElsewhere(alice);
    try (HttpClient http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build()) {
      List<CompletableFuture<HttpResponse<String>>> lists = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        lists.add(http.sendAsync(mcp(bearer, session, "{\"jsonrpc\":\"2.0\",\"id\":" + i
            + ",\"method\":\"tools/list\"}").build(), HttpResponse.BodyHandlers.ofString()));
      }

      for (CompletableFuture<HttpResponse<String>> listed : lists) {
        assertThat(listed.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      }
      assertThat(output.getAll().split("MCP session opened on another node taken up here", -1)).hasSize(2);
    }
  }

  /** Progress goes back on the call's own stream, which a session taken up here serves as well. */
  @Test
  void aCallWaitingInASessionOpenedOnAnotherNodeSendsItsProgressAndResult() throws Exception {
    mcpTools.progressInterval(Duration.ofMillis(200));
    String alice = subject();
    String bearer = token(alice, "developer");
    String session = openedElsewhere(alice);
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> parked = http.send(mcp(bearer, session, """
          {"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"merge_change",
           "arguments":{"repo":"demo/webapp"},"_meta":{"progressToken":"p-4","%s":1}}}"""
          .formatted(McpTools.MAX_WAIT_META)).build(), HttpResponse.BodyHandlers.ofString());

      assertThat(parked.statusCode()).isEqualTo(200);
      assertThat(parked.body()).contains("\"method\":\"notifications/progress\"", "\"progressToken\":\"p-4\"",
          "\"status\":\"pending\"");
    }
  }

  @Test
  void aSessionOpenedOnAnotherNodeIsNotServedToSomeoneElseNorSpoiledForItsOwner() throws Exception {
    String alice = subject();
    String session = openedElsewhere(alice);
    String list = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}";
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> stranger = http.send(mcp(token(subject(), "developer"), session, list).build(),
          HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> owner = http.send(mcp(token(alice, "developer"), session, list).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(stranger.statusCode()).isEqualTo(404);
      assertThat(stranger.body()).contains("Session not found").doesNotContain("read_notes");
      assertThat(owner.statusCode()).isEqualTo(200);
      assertThat(owner.body()).contains("read_notes");
    }
  }

  /** The SDK alone served a session to anyone who knew its id, its stream of server notifications included. */
  @Test
  void aSessionIsItsOpenersSoAnotherCallerWithItsIdGetsNotFound() throws Exception {
    String bearer = token(subject(), "developer");
    String stranger = token(subject(), "developer");
    try (HttpClient http = HttpClient.newHttpClient()) {
      String session = initialize(bearer);

      HttpResponse<String> listed = http.send(mcp(stranger, session,
          "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}").build(), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> stream = http.send(HttpRequest.newBuilder(uri("/mcp")).timeout(Duration.ofSeconds(15))
          .header("Accept", "text/event-stream").header("Authorization", "Bearer " + stranger)
          .header("Mcp-Session-Id", session).GET().build(), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> ended = http.send(mcp(stranger, session, "").method("DELETE",
          HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

      assertThat(List.of(listed.statusCode(), stream.statusCode(), ended.statusCode())).containsOnly(404);
      assertThat(listed.body()).contains("Session not found").doesNotContain("read_notes");
      assertThat(http.send(mcp(bearer, session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}").build(),
          HttpResponse.BodyHandlers.ofString()).body()).contains("read_notes");
    }
  }

  @Test
  void aSessionOpenedMoreThanADayAgoIsNotTakenUpAndThePurgeDeletesIt() throws Exception {
    String alice = subject();
    String session = openedElsewhere(alice, Instant.now().minus(SharedSessions.LIFETIME).minusSeconds(60));
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> listed = http.send(mcp(token(alice, "developer"), session,
          "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}").build(), HttpResponse.BodyHandlers.ofString());

      assertThat(listed.statusCode()).isEqualTo(404);
    }
    sharedSessions.purge();

    assertThat(jdbc.sql("SELECT COUNT(*) FROM mcp_session WHERE id = ?").param(session).query(Long.class).single())
        .isZero();
  }

  private String openedElsewhere(String subject) {
    return openedElsewhere(subject, Instant.now());
  }

  /** The row another node writes when it opens a session for {@code subject} at {@code at}; the session's id. */
  private String openedElsewhere(String subject, Instant at) {
    String session = UUID.randomUUID().toString();
    jdbc.sql("INSERT INTO mcp_session (id, owner_issuer, owner_subject, protocol_version, created_at) "
            + "VALUES (?, ?, ?, ?, ?)")
        .params(session, TestTokens.ISSUER, subject, "2025-06-18", Timestamp.from(at)).update();
    return session;
  }

  /**
   * A raw Streamable HTTP session: initialize, then the initialized notification (each with its own
   * timeout: neither may wait behind the parked calls); its session id.
   */
  private String initialize(String bearer) throws Exception {
    return new RawMcp(uri("/mcp"), bearer).initialize();
  }

  private HttpRequest.Builder mcp(String bearer, @Nullable String session, String json) {
    return new RawMcp(uri("/mcp"), bearer).request(session, json);
  }


  @Test
  void whenTheWaitRunsOutTheCallIsPendingWithProgressAndResumesWithTheStatusTool() {
    mcpTools.progressInterval(Duration.ofMillis(200));
    String alice = subject();
    McpSyncClient client = client(token(alice, "developer"));
    String progressToken = "merge-" + alice;

    CallToolResult parked = client.callTool(CallToolRequest.builder("merge_change").arguments(DEMO)
        .meta(Map.of(McpTools.MAX_WAIT_META, 1, "progressToken", progressToken)).build());

    assertThat(parked.isError()).isFalse();
    JsonNode pending = json(parked);
    assertThat(pending.path("status").asString()).isEqualTo("pending");
    assertThat(pending.path("fingerprint").asString()).hasSize(64);
    assertThat(pending.path("expires_at").asString()).isNotBlank();
    assertThat(pending.path("hint").asString()).contains(McpTools.STATUS_TOOL);
    assertThat(progress).filteredOn(p -> progressToken.equals(p.progressToken())).hasSizeGreaterThanOrEqualTo(2);
    String id = pending.path("approval_id").asString();

    CallToolResult stillPending = client.callTool(new CallToolRequest(McpTools.STATUS_TOOL, Map.of("approval_id", id)));
    assertThat(json(stillPending).path("status").asString()).isEqualTo("pending");

    assertThat(decide(pendingMergeOf(alice), "approve").status()).isEqualTo(200);
    CallToolResult done = client.callTool(
        new CallToolRequest(McpTools.STATUS_TOOL, Map.of("approval_id", id, "wait_seconds", 10)));

    assertThat(done.isError()).isFalse();
    assertThat(json(done).path("tool").asString()).isEqualTo("merge_change");
    assertThat(json(done).path("repo").asString()).isEqualTo("demo/webapp");
  }

  @Test
  void statusOfSomeoneElsesRequestDoesNotExist() {
    String alice = subject();
    CallToolResult parked = client(token(alice, "developer")).callTool(CallToolRequest.builder("merge_change")
        .arguments(DEMO).meta(Map.of(McpTools.MAX_WAIT_META, 0)).build());
    String id = json(parked).path("approval_id").asString();

    CallToolResult result = client(token(subject(), "developer"))
        .callTool(new CallToolRequest(McpTools.STATUS_TOOL, Map.of("approval_id", id)));

    assertThat(result.isError()).isTrue();
    assertThat(json(result).path("code").asString()).isEqualTo("approval_not_found");
  }

  @Test
  void withoutATokenTheClientGets401() {
    assertThatThrownBy(() -> client(null).initialize())
        .hasCauseInstanceOf(McpHttpClientTransportAuthorizationException.class)
        .satisfies(e -> assertThat(((McpHttpClientTransportAuthorizationException) e.getCause())
            .getResponseInfo().statusCode()).isEqualTo(401));
  }

  @Test
  void withAForeignTokenTheClientGets401() {
    String wrongAudience = TestTokens.sign(TestTokens.claims("alice", "developer").audience("someone-else").build());

    assertThatThrownBy(() -> client(wrongAudience).initialize())
        .hasCauseInstanceOf(McpHttpClientTransportAuthorizationException.class);
    assertThatThrownBy(() -> client("not-a-jwt").initialize())
        .hasCauseInstanceOf(McpHttpClientTransportAuthorizationException.class);
  }

  @Test
  void the401PointsToTheProtectedResourceMetadata() throws Exception {
    String metadataUrl = "http://localhost:" + port + "/.well-known/oauth-protected-resource";

    HttpResponse<String> anonymous = rawPost(null);
    HttpResponse<String> invalid = rawPost("not-a-jwt");

    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
        .hasValue("Bearer resource_metadata=\"" + metadataUrl + "\"");
    assertThat(invalid.statusCode()).isEqualTo(401);
    assertThat(invalid.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(h -> assertThat(h)
        .startsWith("Bearer resource_metadata=\"" + metadataUrl + "\"").contains("error=\"invalid_token\""));
  }

  @Test
  void protectedResourceMetadataNamesTheEngineAndItsIssuersWithoutAToken() {
    String base = "http://localhost:" + port;
    for (String resource : List.of(base, base + "/mcp")) {
      Response metadata = get("/.well-known/oauth-protected-resource" + resource.substring(base.length()), null);

      assertThat(metadata.status()).isEqualTo(200);
      assertThat(metadata.body().path("resource").asString()).isEqualTo(resource);
      assertThat(metadata.body().path("authorization_servers").values()).extracting(JsonNode::asString)
          .contains(TestTokens.ISSUER);
      assertThat(metadata.body().path("bearer_methods_supported").values()).extracting(JsonNode::asString)
          .containsExactly("header");
    }
  }

  @Test
  void browserRequestFromAnUnknownOriginIsRefusedEvenWithAValidToken() throws Exception {
    HttpResponse<String> foreign = rawPost(token(subject(), "developer"), "https://evil.example");
    HttpResponse<String> noOrigin = rawPost(token(subject(), "developer"), null);

    assertThat(foreign.statusCode()).isEqualTo(403);
    assertThat(noOrigin.statusCode()).isEqualTo(200);
  }

  private HttpResponse<String> rawPost(@Nullable String bearer) throws Exception {
    return rawPost(bearer, null);
  }

  private HttpResponse<String> rawPost(@Nullable String bearer, @Nullable String origin) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri("/mcp"))
        .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString("""
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
             "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"""));
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    if (origin != null) {
      request.header("Origin", origin);
    }
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
  }
}
