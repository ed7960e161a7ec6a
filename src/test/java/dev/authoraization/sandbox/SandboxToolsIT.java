package dev.authoraization.sandbox;

import static dev.authoraization.support.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.support.SandboxEngineIT;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The embedded default end to end: the REST door, the shipped policy, the GitHub tools and the
 * GitHub App credential path, against the sandbox forge over real Git repositories.
 */
class SandboxToolsIT extends SandboxEngineIT {

  static final String ALICE = token("alice", "developer");
  static final String ADMIN = token("admin", "approver");

  @Autowired
  SandboxDemo demo;

  @Test
  void openBugsAreListedWithoutPullRequests() {
    JsonNode result = call("list_issues", "{\"owner\":\"demo\",\"repo\":\"webapp\",\"labels\":\"bug\"}");

    JsonNode issues = result.path("issues");
    assertThat(issues.size()).isEqualTo(3);
    issues.forEach(issue -> assertThat(issue.path("labels").toString()).contains("bug"));
  }

  @Test
  void eachReadToolWorksAgainstTheSandbox() {
    assertThat(call("get_issue", "{\"owner\":\"demo\",\"repo\":\"webapp\",\"issue_number\":1}").path("number").asInt())
        .isEqualTo(1);
    assertThat(call("list_pull_requests", "{\"owner\":\"demo\",\"repo\":\"webapp\"}").toString())
        .contains("Fix login redirect");
    JsonNode pull = call("get_pull_request", "{\"owner\":\"demo\",\"repo\":\"webapp\",\"pull_number\":7}");
    assertThat(pull.path("head_sha").asString()).hasSize(40);
    assertThat(call("get_file_contents", "{\"owner\":\"demo\",\"repo\":\"webapp\",\"path\":\"README.md\"}").toString())
        .contains("webapp");
    assertThat(call("list_repositories", "{}").toString()).contains("demo/webapp");
  }

  @Test
  void pullRequestsAreListedWithTheirChecks() {
    JsonNode pulls = call("list_pull_requests", "{\"owner\":\"demo\",\"repo\":\"webapp\"}").path("pull_requests");

    JsonNode fix = find(pulls, "Fix login redirect");
    assertThat(fix.path("checks").path("state").asString()).isEqualTo("success");
    assertThat(fix.path("checks").path("summary").asString()).isEqualTo("2 of 2 passed");
    JsonNode rework = find(pulls, "Rework config loading");
    assertThat(rework.path("checks").path("state").asString()).isEqualTo("failure");
    assertThat(rework.path("checks").path("contexts").toString()).contains("2 of 14 tests failed");
  }

  private static JsonNode find(JsonNode pulls, String title) {
    for (JsonNode pull : pulls) {
      if (pull.path("title").asString().equals(title)) {
        return pull;
      }
    }
    throw new AssertionError("no pull request titled " + title + " in " + pulls);
  }

  @Test
  void developerMayComment() {
    JsonNode comment = call("comment_on_issue",
        "{\"owner\":\"demo\",\"repo\":\"webapp\",\"issue_number\":2,\"body\":\"Looking into it.\"}");

    assertThat(comment.path("id").asLong()).isPositive();
  }

  @Test
  void mergeRunsOnlyAfterApprovalAndLandsARealMergeCommit() {
    int number = demo.prime();
    Response parked = post("/api/v1/tool-calls", merge(number), ALICE);
    assertThat(parked.status()).isEqualTo(202);
    assertThat(pull(number).path("merged").asBoolean()).isFalse();

    JsonNode done = approve(parked);

    assertThat(done.path("state").asString()).isEqualTo("EXECUTED");
    assertThat(done.path("result").path("sha").asString()).hasSize(40);
    assertThat(pull(number).path("merged").asBoolean()).isTrue();
  }

  @Test
  void mergeWhenHeadMovedAfterApprovalRequestThenRefusedAndNotMerged() {
    int number = demo.prime();
    Response parked = post("/api/v1/tool-calls", merge(number), ALICE);
    demo.pushToHead("demo", "webapp", number, "NOTES.md", "pushed after the approval was asked for\n");

    JsonNode done = approve(parked);

    assertThat(done.path("state").asString()).isEqualTo("FAILED");
    assertThat(done.path("reason").asString()).isEqualTo("precondition_failed");
    assertThat(pull(number).path("merged").asBoolean()).isFalse();
  }

  @Test
  void mergeOfAConflictingPullRequestFailsAsNotMergeable() {
    Response parked = post("/api/v1/tool-calls", merge(8), ALICE);

    JsonNode done = approve(parked);

    assertThat(done.path("state").asString()).isEqualTo("FAILED");
    assertThat(done.path("reason").asString()).isEqualTo("not_mergeable");
  }

  @Test
  void primeDemoCreatesAFreshPullRequest() {
    Response primed = post("/api/v1/sandbox/prime-demo", "", ALICE);

    assertThat(primed.status()).isEqualTo(201);
    assertThat(pull(primed.body().path("pull_number").asInt()).path("mergeable").asBoolean()).isTrue();
  }

  private JsonNode approve(Response parked) {
    String id = parked.body().path("approval_id").asString();
    Response decided = post("/api/v1/approvals/" + id + "/decision",
        "{\"verdict\":\"approve\",\"fingerprint\":\"" + parked.body().path("fingerprint").asString() + "\"}", ADMIN);
    assertThat(decided.status()).isEqualTo(200);
    return get("/api/v1/approvals/" + id + "?wait=20", ALICE).body();
  }

  private JsonNode pull(int number) {
    return call("get_pull_request", "{\"owner\":\"demo\",\"repo\":\"webapp\",\"pull_number\":" + number + "}");
  }

  private JsonNode call(String tool, String arguments) {
    Response r = post("/api/v1/tool-calls", "{\"tool\":\"" + tool + "\",\"arguments\":" + arguments + "}", ALICE);
    assertThat(r.status()).as(() -> r.raw().headers().map() + " " + r.raw().body() + " port " + port + "/" + PORT).isEqualTo(200);
    return r.body().path("result");
  }

  private static String merge(int number) {
    return "{\"tool\":\"merge_pull_request\",\"arguments\":{\"owner\":\"demo\",\"repo\":\"webapp\",\"pull_number\":"
        + number + "}}";
  }

}
