package dev.authoraization.policy.rules;

import static dev.authoraization.policy.rules.Calls.call;
import static dev.authoraization.policy.rules.Calls.caller;
import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.call.ApprovalRequirement;
import dev.authoraization.call.Decision;
import dev.authoraization.tool.Risk;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The policy the engine ships with decides the demo the way the README tells it. */
class DefaultPolicyTests {

  private static final RulesPolicy POLICY = load();

  private static RulesPolicy load() {
    try (InputStream in = DefaultPolicyTests.class.getResourceAsStream("/policy/default-policy.yaml")) {
      return RulesPolicy.parse("classpath:policy/default-policy.yaml",
          new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"list_issues", "get_issue", "list_pull_requests", "get_pull_request",
      "get_file_contents", "list_repositories"})
  void decideWhenDeveloperReadsThenAllowed(String tool) {
    assertThat(POLICY.decide(call(tool, caller("alice", "developer"))))
        .isEqualTo(new Decision.Allow("read-repositories"));
  }

  @Test
  void decideWhenApproverReadsThenAllowed() {
    assertThat(POLICY.decide(call("get_pull_request", caller("bob", "approver"))))
        .isEqualTo(new Decision.Allow("read-repositories"));
  }

  @Test
  void decideWhenDeveloperCommentsThenAllowedButApproverAloneIsNot() {
    assertThat(POLICY.decide(call("comment_on_issue", Risk.WRITE, caller("alice", "developer"),
        "{\"owner\":\"demo\",\"repo\":\"app\",\"issue_number\":1,\"body\":\"hi\"}", "demo/app")))
        .isEqualTo(new Decision.Allow("comment-on-issues"));
    assertThat(POLICY.decide(call("comment_on_issue", Risk.WRITE, caller("bob", "approver"), "{}", "demo/app")))
        .isEqualTo(new Decision.Deny(Decision.DEFAULT_DENY, "no_matching_rule"));
  }

  @Test
  void decideWhenDeveloperMergesThenNeedsOneApproverWithSeparationOfDuties() {
    Decision decision = POLICY.decide(call("merge_pull_request", Risk.DESTRUCTIVE,
        caller("alice", "developer"), "{\"owner\":\"demo\",\"repo\":\"app\",\"pull_number\":7}", "demo/app"));

    assertThat(decision).isEqualTo(new Decision.NeedsApproval("merge-needs-approval",
        new ApprovalRequirement(Set.of("approver"), 1, Duration.ofMinutes(15), true)));
  }

  @Test
  void decideWhenToolUnknownToPolicyThenDefaultDeny() {
    assertThat(POLICY.decide(call("delete_repository", Risk.DESTRUCTIVE, caller("alice", "developer"),
        "{}", "demo/app")))
        .isEqualTo(new Decision.Deny(Decision.DEFAULT_DENY, "no_matching_rule"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"list_issues", "comment_on_issue", "merge_pull_request"})
  void decideWhenCallerHasNoRolesThenDenied(String tool) {
    assertThat(POLICY.decide(call(tool, caller("nobody"))))
        .isEqualTo(new Decision.Deny(Decision.DEFAULT_DENY, "no_matching_rule"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"list_issues", "comment_on_issue", "merge_pull_request", "delete_repository"})
  void explainWhenDryRunThenSameDecisionAsDecideAndSameRevision(String tool) {
    var input = call(tool, caller("alice", "developer"));
    var explanation = POLICY.explain(input);

    assertThat(explanation.decision()).isEqualTo(POLICY.decide(input));
    assertThat(explanation.revision()).isEqualTo(POLICY.revision());
    assertThat(explanation.trace()).isNotEmpty();
  }
}
