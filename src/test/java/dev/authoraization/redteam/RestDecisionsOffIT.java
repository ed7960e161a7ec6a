package dev.authoraization.redteam;

import static dev.authoraization.support.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.authoraization.support.EngineIT;
import dev.authoraization.support.TestTokens;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpError;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * "Only real evidence counts": with the REST decision door off (the production default), a
 * caller holding only a user's bearer token can never decide an approval, whatever roles the
 * token claims and whichever door it knocks on. Approval then needs channel evidence (a verified
 * CIBA answer or a passkey assertion on the approver device).
 */
@Tag("redteam")
@TestPropertySource(properties = "engine.approvals.rest-decisions=false")
class RestDecisionsOffIT extends EngineIT {

  static final String ALICE = token("alice", "developer");
  static final String ADMIN = token("admin", "approver");

  @Test
  void approverDecisionOverRestWhenTurnedOffThenForbiddenWithTheWayToApproveAndStillPending() {
    Response parked = park();

    Response r = decide(parked, "approve", ADMIN);

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.body().path("code").asString()).isEqualTo("denied");
    assertThat(r.body().path("reason").asString()).isEqualTo("rest_decisions_disabled");
    assertThat(r.body().path("detail").asString()).contains("engine.approvals.rest-decisions").contains("/approvals");
    assertThat(stateOf(parked)).isEqualTo("PENDING");
    assertThat(get("/api/v1/approvals/" + id(parked), ALICE).body().path("votes").size()).isZero();
  }

  @Test
  void denyOverRestWhenTurnedOffThenForbiddenToo() {
    Response parked = park();

    assertThat(decide(parked, "deny", ADMIN).status()).isEqualTo(403);
    assertThat(stateOf(parked)).isEqualTo("PENDING");
  }

  @Test
  void agentTokenActingForAnApproverCannotApproveAnything() {
    String agentForApprover = TestTokens.sign(TestTokens.claims("carol", "approver").claim("azp", "demo-agent").build());
    Response parked = park();

    Response r = decide(parked, "approve", agentForApprover);

    assertThat(r.status()).isEqualTo(403);
    assertThat(stateOf(parked)).isEqualTo("PENDING");
  }

  @Test
  void forgedRolesInEveryClaimShapeCannotApproveEither() {
    Response parked = park();
    String everything = TestTokens.sign(TestTokens.claims("mallory", "approver", "admin")
        .claim("groups", List.of("approver")).claim("realm_access", Map.of("roles", List.of("approver"))).build());

    assertThat(decide(parked, "approve", everything).status()).isEqualTo(403);
    assertThat(stateOf(parked)).isEqualTo("PENDING");
  }

  @Test
  void mcpDoorOffersAnApproverNoToolThatDecidesAndAGuessedOneDecidesNothing() {
    Response parked = park();
    McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://localhost:" + port)
        .endpoint("/mcp")
        .httpRequestCustomizer((request, method, uri, body, context) -> request.header("Authorization", "Bearer " + ADMIN))
        .build()).requestTimeout(Duration.ofSeconds(30)).build();
    try {
      List<String> tools = client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
      CallToolRequest guessed = new CallToolRequest("approve",
          Map.of("id", id(parked), "verdict", "approve", "fingerprint", parked.body().path("fingerprint").asString()));

      assertThat(tools).contains("get_approval_status") // reading one's own request is all there is
          .noneMatch(name -> name.matches(".*(approve|deny|decide|decision|vote).*"));
      assertThatThrownBy(() -> client.callTool(guessed)).isInstanceOf(McpError.class).hasMessageContaining("Unknown tool");
    } finally {
      client.closeGracefully();
    }
    assertThat(stateOf(parked)).isEqualTo("PENDING");
  }

  private Response park() {
    String repo = "demo/off-" + UUID.randomUUID().toString().substring(0, 8);
    Response r = post("/api/v1/tool-calls", "{\"tool\":\"merge_change\",\"arguments\":{\"repo\":\"" + repo + "\"}}",
        ALICE);
    assertThat(r.status()).as(r.raw().body()).isEqualTo(202);
    return r;
  }

  private Response decide(Response parked, String verdict, String token) {
    return post("/api/v1/approvals/" + id(parked) + "/decision", "{\"verdict\":\"" + verdict + "\",\"fingerprint\":\""
        + parked.body().path("fingerprint").asString() + "\"}", token);
  }

  private String stateOf(Response parked) {
    return get("/api/v1/approvals/" + id(parked), ALICE).body().path("state").asString();
  }

  private static String id(Response parked) {
    return parked.body().path("approval_id").asString();
  }
}
