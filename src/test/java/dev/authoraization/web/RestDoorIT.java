package dev.authoraization.web;

import static dev.authoraization.support.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.support.EngineIT;
import dev.authoraization.support.FakeTools;
import org.junit.jupiter.api.Test;

/** The REST door end to end: tokens, decisions, approvals, problem details, docs and metrics. */
class RestDoorIT extends EngineIT {

  static final String ALICE = token("alice", "developer");
  static final String ADMIN = token("admin", "approver");
  static final String MERGE = "{\"tool\":\"merge_change\",\"arguments\":{\"repo\":\"demo/webapp\"}}";

  @Test
  void allowedReadReturnsTheResult() {
    Response r = post("/api/v1/tool-calls", "{\"tool\":\"read_notes\",\"arguments\":{\"repo\":\"demo/webapp\"}}", ALICE);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().path("status").asString()).isEqualTo("completed");
    assertThat(r.body().path("result").path("repo").asString()).isEqualTo("demo/webapp");
    assertThat(r.body().path("decision_id").asString()).isNotBlank();
  }

  @Test
  void unknownToolIsDeniedWithAProblem() {
    Response r = post("/api/v1/tool-calls", "{\"tool\":\"delete_repository\",\"arguments\":{}}", ALICE);

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.raw().headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("application/problem+json"));
    assertThat(r.body().path("code").asString()).isEqualTo("unknown_tool");
  }

  @Test
  void callNoRuleAllowsIsDeniedWithNoMatchingRule() {
    Response r = post("/api/v1/tool-calls", "{\"tool\":\"read_notes\",\"arguments\":{\"repo\":\"demo/webapp\"}}",
        token("mallory", "guest"));

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.body().path("code").asString()).isEqualTo("denied");
    assertThat(r.body().path("reason").asString()).isEqualTo("no_matching_rule");
    assertThat(r.body().path("rule").asString()).isEqualTo("default-deny");
  }

  @Test
  void malformedRequestsAre400ProblemsNeverServerErrors() {
    Response notJson = post("/api/v1/tool-calls", "{\"tool\":", ALICE);
    Response argumentsNotAnObject = post("/api/v1/tool-calls", "{\"tool\":\"read_notes\",\"arguments\":[1]}", ALICE);
    Response noTool = post("/api/v1/tool-calls", "{\"arguments\":{}}", ALICE);
    Response badWait = get("/api/v1/approvals/x?wait=forever", ALICE);

    for (Response r : java.util.List.of(notJson, argumentsNotAnObject, noTool, badWait)) {
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.raw().headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("problem+json"));
    }
    assertThat(argumentsNotAnObject.body().path("code").asString()).isEqualTo("invalid_arguments");
  }

  @Test
  void withoutATokenTheDoorAnswers401WithAProblem() {
    Response r = post("/api/v1/tool-calls", MERGE, null);

    assertThat(r.status()).isEqualTo(401);
    assertThat(r.raw().headers().firstValue("WWW-Authenticate")).hasValueSatisfying(h -> assertThat(h).startsWith("Bearer"));
    assertThat(r.body().path("code").asString()).isEqualTo("unauthenticated");
  }

  @Test
  void garbageAndForeignTokensAre401NotErrors() {
    assertThat(get("/api/v1/tools", "not-a-jwt").status()).isEqualTo(401);
    String unsigned = ALICE.substring(0, ALICE.lastIndexOf('.') + 1);
    assertThat(get("/api/v1/tools", unsigned).status()).isEqualTo(401);
    String wrongAudience = dev.authoraization.support.TestTokens.sign(
        dev.authoraization.support.TestTokens.claims("alice", "developer").audience("someone-else").build());
    assertThat(get("/api/v1/tools", wrongAudience).status()).isEqualTo(401);
  }

  @Test
  void mergeWaitsForApprovalThenRunsOnceApproved() {
    Response parked = post("/api/v1/tool-calls", MERGE, ALICE);
    assertThat(parked.status()).isEqualTo(202);
    String id = parked.body().path("approval_id").asString();
    assertThat(parked.raw().headers().firstValue("Location")).hasValue("/api/v1/approvals/" + id);
    int before = tools.executions.get();

    Response status = get("/api/v1/approvals/" + id, ALICE);
    assertThat(status.body().path("state").asString()).isEqualTo("PENDING");
    assertThat(status.body().path("preconditions").path("expected_head").asString()).isEqualTo("head-1");

    Response approved = post("/api/v1/approvals/" + id + "/decision",
        "{\"verdict\":\"approve\",\"fingerprint\":\"" + parked.body().path("fingerprint").asString() + "\"}", ADMIN);
    assertThat(approved.status()).isEqualTo(200);

    Response done = get("/api/v1/approvals/" + id + "?wait=10", ALICE);
    assertThat(done.body().path("state").asString()).isEqualTo("EXECUTED");
    assertThat(done.body().path("result").path("tool").asString()).isEqualTo("merge_change");
    assertThat(tools.executions.get()).isEqualTo(before + 1);
  }

  @Test
  void approvalWithAnotherFingerprintIsRefused() {
    String id = post("/api/v1/tool-calls", MERGE, ALICE).body().path("approval_id").asString();

    Response r = post("/api/v1/approvals/" + id + "/decision",
        "{\"verdict\":\"approve\",\"fingerprint\":\"" + "0".repeat(64) + "\"}", ADMIN);

    assertThat(r.status()).isEqualTo(409);
    assertThat(r.body().path("code").asString()).isEqualTo("fingerprint_mismatch");
    assertThat(get("/api/v1/approvals/" + id, ALICE).body().path("state").asString()).isEqualTo("PENDING");
  }

  @Test
  void secondApprovalOfTheSameRequestIsRefused() {
    Response parked = post("/api/v1/tool-calls", MERGE, ALICE);
    String decision = "{\"verdict\":\"approve\",\"fingerprint\":\"" + parked.body().path("fingerprint").asString() + "\"}";
    String id = parked.body().path("approval_id").asString();
    assertThat(post("/api/v1/approvals/" + id + "/decision", decision, ADMIN).status()).isEqualTo(200);

    Response again = post("/api/v1/approvals/" + id + "/decision", decision, token("carol", "approver"));

    assertThat(again.status()).isEqualTo(409);
    assertThat(again.body().path("code").asString()).isEqualTo("approval_not_pending");
  }

  @Test
  void selfApprovalIsRefused() {
    String both = token("dana", "developer", "approver");
    Response parked = post("/api/v1/tool-calls", MERGE, both);

    Response r = post("/api/v1/approvals/" + parked.body().path("approval_id").asString() + "/decision",
        "{\"verdict\":\"approve\",\"fingerprint\":\"" + parked.body().path("fingerprint").asString() + "\"}", both);

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.body().path("code").asString()).isEqualTo("self_approval");
  }

  @Test
  void developerCannotApprove() {
    Response parked = post("/api/v1/tool-calls", MERGE, ALICE);

    Response r = post("/api/v1/approvals/" + parked.body().path("approval_id").asString() + "/decision",
        "{\"verdict\":\"approve\",\"fingerprint\":\"" + parked.body().path("fingerprint").asString() + "\"}",
        token("bob", "developer"));

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.body().path("code").asString()).isEqualTo("not_eligible_approver");
  }

  @Test
  void requesterCancelsAndTheRequestEnds() {
    String id = post("/api/v1/tool-calls", MERGE, ALICE).body().path("approval_id").asString();

    Response stranger = post("/api/v1/approvals/" + id + "/cancel", "", token("bob", "developer"));
    assertThat(stranger.status()).isEqualTo(403);
    assertThat(stranger.body().path("code").asString()).isEqualTo("not_requester");
    Response r = post("/api/v1/approvals/" + id + "/cancel", "", ALICE);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().path("state").asString()).isEqualTo("CANCELLED");
  }

  @Test
  void approverSeesPendingRequestsTheyMayDecide() {
    String id = post("/api/v1/tool-calls", MERGE, ALICE).body().path("approval_id").asString();

    Response list = get("/api/v1/approvals", ADMIN);

    assertThat(list.status()).isEqualTo(200);
    assertThat(list.body().findValuesAsString("id")).contains(id);
    assertThat(get("/api/v1/approvals", token("bob", "developer")).body().findValuesAsString("id")).doesNotContain(id);
  }

  @Test
  void catalogListsToolsWithSchemasAndRisk() {
    Response r = get("/api/v1/tools", ALICE);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().findValuesAsString("name")).contains("read_notes", "merge_change");
    assertThat(r.body().findValuesAsString("risk")).contains("READ", "DESTRUCTIVE");
    assertThat(r.body().get(0).path("input_schema").path("type").asString()).isEqualTo("object");
  }

  @Test
  void explainSaysWhatPolicyWouldDecideAndWhy() {
    Response r = post("/api/v1/policy/explain", MERGE, ALICE);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().path("effect").asString()).isEqualTo("approve");
    assertThat(r.body().path("rule").asString()).isEqualTo("merge-needs-approval");
    assertThat(r.body().path("approval").path("approvers").get(0).asString()).isEqualTo("approver");
    assertThat(r.body().path("policy_revision").asString()).isNotBlank();
    assertThat(r.body().path("trace").isArray()).isTrue();
  }

  @Test
  void auditChainVerifiesOverTheRestDoor() {
    post("/api/v1/tool-calls", "{\"tool\":\"read_notes\",\"arguments\":{\"repo\":\"demo/webapp\"}}", ALICE);

    Response r = get("/api/v1/audit/verify", ADMIN);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().path("intact").asBoolean()).isTrue();
    assertThat(r.body().path("checked").asLong()).isPositive();
  }

  @Test
  void metricsCountDecisionsByEffect() {
    post("/api/v1/tool-calls", "{\"tool\":\"read_notes\",\"arguments\":{\"repo\":\"demo/webapp\"}}", ALICE);

    Response r = get("/actuator/prometheus", null);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.raw().body()).contains("engine_decisions_total{effect=\"allow\"").contains("engine_approval_latency");
  }

  @Test
  void openApiDescribesTheDoor() {
    Response r = get("/v3/api-docs", null);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().path("paths").has("/api/v1/tool-calls")).isTrue();
  }

  @Test
  void theCredentialNeverAppearsInAnyResponse() {
    Response read = post("/api/v1/tool-calls", "{\"tool\":\"read_notes\",\"arguments\":{\"repo\":\"demo/webapp\"}}", ALICE);
    Response parked = post("/api/v1/tool-calls", MERGE, ALICE);
    String id = parked.body().path("approval_id").asString();
    post("/api/v1/approvals/" + id + "/decision",
        "{\"verdict\":\"approve\",\"fingerprint\":\"" + parked.body().path("fingerprint").asString() + "\"}", ADMIN);
    Response done = get("/api/v1/approvals/" + id + "?wait=10", ALICE);

    for (Response r : java.util.List.of(read, parked, done, get("/api/v1/audit/verify", ADMIN), get("/actuator/prometheus", null))) {
      assertThat(r.raw().body()).doesNotContain(FakeTools.CANARY);
      assertThat(r.raw().headers().map().toString()).doesNotContain(FakeTools.CANARY);
    }
  }
}
