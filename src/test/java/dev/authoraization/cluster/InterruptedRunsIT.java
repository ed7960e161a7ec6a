package dev.authoraization.cluster;

import static dev.authoraization.support.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.approval.ApprovalState;
import dev.authoraization.approval.cluster.InterruptedRuns;
import dev.authoraization.support.EngineIT;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A crash between the claim and the recorded outcome leaves a request EXECUTING. Recovery asks
 * the sandbox forge what happened instead of guessing: merged at the approved head → EXECUTED
 * with the merge commit; not merged → FAILED with outcome_unknown, and the merge is not re-run.
 */
class InterruptedRunsIT extends EngineIT {

  static final int PORT = EngineProcess.freePort();
  static final String ALICE = token("alice", "developer");
  static final String ADMIN = token("admin", "approver");

  @Autowired
  JdbcTemplate jdbc;

  @Autowired
  InterruptedRuns interrupted;

  @DynamicPropertySource
  static void sandbox(DynamicPropertyRegistry registry) {
    registry.add("server.port", () -> PORT);
    registry.add("engine.policy.path", () -> "");
    registry.add("engine.github.credentials", () -> "app");
    registry.add("engine.github.token", () -> "");
    registry.add("engine.github.api-url", () -> "http://localhost:" + PORT + "/sandbox/github");
    registry.add("engine.cluster.executing-grace", () -> "PT0S");
  }

  @Test
  void interruptedBeforeTheMergeThenFailedAsOutcomeUnknownAndNeverMerged() {
    int number = prime();
    String id = park(number).path("approval_id").asString();
    // the engine claimed it and died before calling GitHub
    jdbc.update("UPDATE approval_request SET state = 'EXECUTING' WHERE id = ?", id);

    List<ApprovalRequest> settled = interrupted.settleStale();

    assertThat(settled).extracting(ApprovalRequest::id).contains(id);
    JsonNode after = get("/api/v1/approvals/" + id, ALICE).body();
    assertThat(after.path("state").asString()).isEqualTo("FAILED");
    assertThat(after.path("reason").asString()).isEqualTo("outcome_unknown");
    assertThat(pull(number).path("merged").asBoolean()).isFalse();
  }

  @Test
  void interruptedAfterTheMergeThenExecutedWithTheMergeCommit() {
    int number = prime();
    JsonNode parked = park(number);
    String id = parked.path("approval_id").asString();
    post("/api/v1/approvals/" + id + "/decision",
        "{\"verdict\":\"approve\",\"fingerprint\":\"" + parked.path("fingerprint").asString() + "\"}", ADMIN);
    JsonNode done = get("/api/v1/approvals/" + id + "?wait=20", ALICE).body();
    String mergeCommit = done.path("result").path("sha").asString();
    assertThat(mergeCommit).hasSize(40);
    // as if the engine died after GitHub merged but before it recorded the outcome
    jdbc.update("UPDATE approval_request SET state = 'EXECUTING', result = NULL WHERE id = ?", id);

    interrupted.settleStale();

    JsonNode after = get("/api/v1/approvals/" + id, ALICE).body();
    assertThat(after.path("state").asString()).isEqualTo("EXECUTED");
    assertThat(after.path("result").path("sha").asString()).isEqualTo(mergeCommit);
  }

  @Test
  void settlingARequestThatIsNoLongerExecutingChangesNothing() {
    int number = prime();
    String id = park(number).path("approval_id").asString();

    interrupted.settleStale();

    assertThat(get("/api/v1/approvals/" + id, ALICE).body().path("state").asString())
        .isEqualTo(ApprovalState.PENDING.name());
  }

  private int prime() {
    Response primed = post("/api/v1/sandbox/prime-demo", "", ALICE);
    assertThat(primed.status()).isEqualTo(201);
    return primed.body().path("pull_number").asInt();
  }

  private JsonNode park(int number) {
    Response parked = post("/api/v1/tool-calls", "{\"tool\":\"merge_pull_request\",\"arguments\":"
        + "{\"owner\":\"demo\",\"repo\":\"webapp\",\"pull_number\":" + number + "}}", ALICE);
    assertThat(parked.status()).as(parked.body()::toString).isEqualTo(202);
    return parked.body();
  }

  private JsonNode pull(int number) {
    Response r = post("/api/v1/tool-calls", "{\"tool\":\"get_pull_request\",\"arguments\":"
        + "{\"owner\":\"demo\",\"repo\":\"webapp\",\"pull_number\":" + number + "}}", ALICE);
    assertThat(r.status()).isEqualTo(200);
    return r.body().path("result");
  }
}
