package dev.authoraization.redteam;

import static dev.authoraization.support.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.audit.AuditLog;
import dev.authoraization.audit.AuditRecord;
import dev.authoraization.call.Caller;
import dev.authoraization.call.GatewayException;
import dev.authoraization.call.ToolCall;
import dev.authoraization.call.ToolCallGateway;
import dev.authoraization.support.EngineIT;
import dev.authoraization.support.FakeTools;
import dev.authoraization.support.TestTokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Invariant 1 (no credential leaves the executor): every credential the fake vault issues is the
 * canary {@link FakeTools#CANARY}. After driving the REST door through reads, approvals and
 * failures, the canary must appear nowhere a user, an operator or a thief could look.
 */
@Tag("redteam")
@ExtendWith(OutputCaptureExtension.class)
class CredentialCanaryIT extends EngineIT {

  static final String ALICE = token("alice", "developer");
  static final String ADMIN = token("admin", "approver");

  @Autowired
  AuditLog audit;

  @Autowired
  ToolCallGateway gateway;

  @Autowired
  JdbcTemplate jdbc;

  @Test
  void theCanaryCredentialAppearsInNoResponseHeaderAuditRecordExceptionMetricLogOrTable(CapturedOutput output) {
    LoggerFactory.getLogger(CredentialCanaryIT.class).warn("canary scan: log capture works");
    int issuedBefore = tools.issued.get();
    List<Response> responses = new ArrayList<>();
    List<String> exceptionMessages = new ArrayList<>();
    String repo = "demo/canary-" + UUID.randomUUID().toString().substring(0, 8);
    String moved = repo + "-moved";

    // reads, allowed
    responses.add(post("/api/v1/tool-calls", "{\"tool\":\"read_notes\",\"arguments\":{\"repo\":\"" + repo + "\"}}", ALICE));
    // approval: parked, approved, executed
    Response parked = post("/api/v1/tool-calls", merge(repo), ALICE);
    responses.add(parked);
    responses.add(decide(parked, "approve", ADMIN));
    responses.add(get("/api/v1/approvals/" + parked.body().path("approval_id").asString() + "?wait=10", ALICE));
    // approval that fails its re-check (head moved): a credential was issued for the precondition read
    Response parkedMoved = post("/api/v1/tool-calls", merge(moved), ALICE);
    tools.moveHead(moved, "head-2");
    responses.add(decide(parkedMoved, "approve", ADMIN));
    responses.add(get("/api/v1/approvals/" + parkedMoved.body().path("approval_id").asString() + "?wait=10", ALICE));
    // denied, refused, malformed, unauthenticated
    Response denied = post("/api/v1/tool-calls", merge(repo), ALICE);
    responses.add(denied);
    responses.add(decide(denied, "deny", ADMIN));
    responses.add(post("/api/v1/tool-calls", "{\"tool\":\"read_notes\",\"arguments\":{\"repo\":\"" + repo + "\"}}",
        token("mallory", "guest")));
    responses.add(post("/api/v1/tool-calls", "{\"tool\":\"read_notes\",\"arguments\":{}}", ALICE));
    responses.add(post("/api/v1/tool-calls", "{\"tool\":\"merge_change\",\"arguments\":{\"repo\":\"" + repo
        + "\",\"expected_head\":\"x\"}}", ALICE));
    responses.add(post("/api/v1/tool-calls", "{\"tool\":", ALICE));
    responses.add(post("/api/v1/tool-calls", merge(repo), null));
    responses.add(post("/api/v1/policy/explain", merge(repo), ALICE));
    responses.add(get("/api/v1/approvals", ADMIN));
    responses.add(get("/api/v1/audit/verify", ADMIN));
    responses.add(get("/api/v1/tools", ALICE));
    responses.add(get("/actuator/prometheus", null));
    responses.add(get("/v3/api-docs", null));
    // the gateway's own exceptions, as another door (MCP, the agent) would see them
    Caller alice = Caller.of("alice", TestTokens.ISSUER, Set.of("developer"));
    for (String arguments : List.of("{}", "{\"repo\":\"" + repo + "\",\"expected_head\":\"x\"}")) {
      try {
        gateway.execute(new ToolCall("merge_change", JSON.readTree(arguments), alice, UUID.randomUUID().toString()));
      } catch (GatewayException e) {
        exceptionMessages.add(e.getMessage() + " " + e.details() + " " + e);
      }
    }

    assertThat(tools.issued.get()).as("the scenario issued credentials, so there was something to leak")
        .isGreaterThan(issuedBefore + 2);
    assertThat(exceptionMessages).hasSize(2);
    for (Response r : responses) {
      assertThat(r.raw().body()).as(r.raw().uri().toString()).doesNotContain(FakeTools.CANARY);
      assertThat(r.raw().headers().map().toString()).as(r.raw().uri().toString()).doesNotContain(FakeTools.CANARY);
    }
    assertThat(String.join("\n", exceptionMessages)).doesNotContain(FakeTools.CANARY);
    List<AuditRecord> records = audit.recent(10000);
    assertThat(records).isNotEmpty();
    JsonMapper json = JsonMapper.builder().build();
    for (AuditRecord record : records) {
      assertThat(record.toString()).doesNotContain(FakeTools.CANARY);
      assertThat(json.writeValueAsString(record.entry())).doesNotContain(FakeTools.CANARY);
    }
    assertThat(output.getAll()).as("the engine's log is captured").contains("canary scan: log capture works")
        .doesNotContain(FakeTools.CANARY);
    assertThat(everyTextInTheDatabase()).doesNotContain(FakeTools.CANARY);
  }

  /** What a thief with a copy of the database would read: every row of every table, as text. */
  private String everyTextInTheDatabase() {
    StringBuilder all = new StringBuilder();
    List<String> tables = jdbc.queryForList(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'", String.class);
    assertThat(tables).contains("approval_request");
    for (String table : tables) {
      for (Map<String, Object> row : jdbc.queryForList("SELECT * FROM \"" + table + "\"")) {
        row.values().forEach(value -> all.append(value instanceof byte[] bytes ? new String(bytes,
            java.nio.charset.StandardCharsets.ISO_8859_1) : String.valueOf(value)).append('\n'));
      }
    }
    return all.toString();
  }

  private Response decide(Response parked, String verdict, String token) {
    return post("/api/v1/approvals/" + parked.body().path("approval_id").asString() + "/decision",
        "{\"verdict\":\"" + verdict + "\",\"fingerprint\":\"" + parked.body().path("fingerprint").asString() + "\"}", token);
  }

  private static String merge(String repo) {
    return "{\"tool\":\"merge_change\",\"arguments\":{\"repo\":\"" + repo + "\"}}";
  }
}
