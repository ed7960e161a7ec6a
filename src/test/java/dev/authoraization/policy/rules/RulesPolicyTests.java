package dev.authoraization.policy.rules;

import static dev.authoraization.policy.rules.Calls.call;
import static dev.authoraization.policy.rules.Calls.caller;
import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.call.ApprovalRequirement;
import dev.authoraization.call.Decision;
import dev.authoraization.policy.Explanation;
import dev.authoraization.policy.Explanation.RuleTrace;
import dev.authoraization.tool.Risk;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RulesPolicyTests {

  private static RulesPolicy policy(String yaml) {
    return RulesPolicy.parse("/test/policy.yaml", yaml);
  }

  private static final RulesPolicy READS = policy("""
      rules:
        - id: read-repositories
          tools: ["list_*", "get_*"]
          when: '"developer" in caller.roles || "approver" in caller.roles'
          effect: allow
        - id: no-deletes
          tools: ["delete_*"]
          effect: deny
          reason: destructive_tool_forbidden
      """);

  @Test
  void decideWhenNoRuleMatchesThenDeniedWithNoMatchingRule() {
    Decision decision = READS.decide(call("comment_on_issue", caller("alice", "developer")));

    assertThat(decision).isEqualTo(new Decision.Deny(Decision.DEFAULT_DENY, "no_matching_rule"));
  }

  @Test
  void decideWhenGlobCoversToolAndConditionHoldsThenAllowedByThatRule() {
    assertThat(READS.decide(call("list_issues", caller("alice", "developer"))))
        .isEqualTo(new Decision.Allow("read-repositories"));
    assertThat(READS.decide(call("get_file_contents", caller("bob", "approver"))))
        .isEqualTo(new Decision.Allow("read-repositories"));
  }

  @Test
  void decideWhenGlobDoesNotCoverToolThenRuleIsSkipped() {
    // "get_*" must match the whole name, not a part of it.
    assertThat(READS.decide(call("forget_issue", caller("alice", "developer"))))
        .isEqualTo(new Decision.Deny(Decision.DEFAULT_DENY, "no_matching_rule"));
  }

  @Test
  void decideWhenQuestionMarkGlobThenMatchesExactlyOneCharacter() {
    RulesPolicy policy = policy("""
        rules:
          - id: v
            tools: ["tool_v?"]
            effect: allow
        """);
    assertThat(policy.decide(call("tool_v1", caller("a")))).isInstanceOf(Decision.Allow.class);
    assertThat(policy.decide(call("tool_v", caller("a")))).isInstanceOf(Decision.Deny.class);
    assertThat(policy.decide(call("tool_v12", caller("a")))).isInstanceOf(Decision.Deny.class);
  }

  @Test
  void decideWhenCallerLacksRoleThenConditionFalseAndDenied() {
    assertThat(READS.decide(call("list_issues", caller("mallory"))))
        .isEqualTo(new Decision.Deny(Decision.DEFAULT_DENY, "no_matching_rule"));
  }

  @Test
  void decideWhenDenyRuleMatchesThenDeniedWithItsReason() {
    assertThat(READS.decide(call("delete_repository", caller("alice", "developer"))))
        .isEqualTo(new Decision.Deny("no-deletes", "destructive_tool_forbidden"));
  }

  @Test
  void decideWhenDenyRuleHasNoReasonThenReasonIsDeniedByRule() {
    RulesPolicy policy = policy("""
        rules:
          - id: nothing
            tools: ["*"]
            effect: deny
        """);
    assertThat(policy.decide(call("list_issues", caller("alice"))))
        .isEqualTo(new Decision.Deny("nothing", "denied_by_rule"));
  }

  @Test
  void decideWhenTwoRulesMatchThenFirstWins() {
    RulesPolicy policy = policy("""
        rules:
          - id: block-main
            tools: [merge_pull_request]
            when: 'args.base == "main"'
            effect: deny
          - id: merge-anything
            tools: ["*"]
            effect: allow
        """);
    Decision toMain = policy.decide(call("merge_pull_request", Risk.DESTRUCTIVE,
        caller("alice"), "{\"base\":\"main\"}", "demo/app"));
    Decision toBranch = policy.decide(call("merge_pull_request", Risk.DESTRUCTIVE,
        caller("alice"), "{\"base\":\"feature\"}", "demo/app"));

    assertThat(toMain).isEqualTo(new Decision.Deny("block-main", "denied_by_rule"));
    assertThat(toBranch).isEqualTo(new Decision.Allow("merge-anything"));
  }

  @Test
  void decideWhenConditionReadsArgumentsThenJsonValuesAreTyped() {
    RulesPolicy policy = policy("""
        rules:
          - id: small-pages
            tools: [list_issues]
            when: >-
              args.per_page <= 50 && args.ratio > 0.5 && args.labels[0] == "bug"
              && args.filter.state == "open" && args.draft == false && args.milestone == null
            effect: allow
        """);
    String small = """
        {"per_page": 20, "ratio": 0.75, "labels": ["bug"], "filter": {"state": "open"},
         "draft": false, "milestone": null}""";
    String large = small.replace("20", "100");

    assertThat(policy.decide(call("list_issues", Risk.READ, caller("a"), small, "demo/app")))
        .isEqualTo(new Decision.Allow("small-pages"));
    assertThat(policy.decide(call("list_issues", Risk.READ, caller("a"), large, "demo/app")))
        .isEqualTo(new Decision.Deny(Decision.DEFAULT_DENY, "no_matching_rule"));
  }

  @Test
  void decideWhenConditionReadsResourceToolAndCallerThenTheyAreThere() {
    RulesPolicy policy = policy("""
        rules:
          - id: demo-only
            tools: ["*"]
            when: >-
              resource.startsWith("demo/") && tool.risk == "WRITE" && tool.name == "comment_on_issue"
              && caller.subject == "alice" && caller.issuer == "https://idp.example"
              && caller.agent == ""
            effect: allow
        """);
    assertThat(policy.decide(call("comment_on_issue", Risk.WRITE, caller("alice"), "{}", "demo/app")))
        .isEqualTo(new Decision.Allow("demo-only"));
    assertThat(policy.decide(call("comment_on_issue", Risk.WRITE, caller("alice"), "{}", "prod/app")))
        .isInstanceOf(Decision.Deny.class);
    assertThat(policy.decide(call("comment_on_issue", Risk.READ, caller("alice"), "{}", "demo/app")))
        .isInstanceOf(Decision.Deny.class);
  }

  @Test
  void decideWhenConditionErrorsThenDeniedByThatRuleAndLaterRulesNotConsulted() {
    RulesPolicy policy = policy("""
        rules:
          - id: guard-big-merges
            tools: [merge_pull_request]
            when: 'args.lines > 1000'
            effect: deny
          - id: merge-all
            tools: ["*"]
            effect: allow
        """);
    // No "lines" key: the guard cannot be evaluated, and must not be skipped.
    Decision decision = policy.decide(call("merge_pull_request", Risk.DESTRUCTIVE,
        caller("mallory"), "{}", "demo/app"));

    assertThat(decision).isEqualTo(new Decision.Deny("guard-big-merges", "condition_error"));
  }

  @Test
  void decideWhenArgumentsNestedTooDeepThenConditionErrorNotCrash() {
    RulesPolicy policy = policy("""
        rules:
          - id: looks-at-args
            tools: ["*"]
            when: 'has(args.a)'
            effect: allow
        """);
    String deep = "{\"a\":".repeat(200) + "1" + "}".repeat(200);

    assertThat(policy.decide(call("list_issues", Risk.READ, caller("a"), deep, "demo/app")))
        .isEqualTo(new Decision.Deny("looks-at-args", "condition_error"));
    assertThat(policy.decide(call("list_issues", Risk.READ, caller("a"), "{\"a\":{\"b\":[1]}}", "demo/app")))
        .isEqualTo(new Decision.Allow("looks-at-args"));
  }

  @Test
  void decideWhenConditionUsesMacrosThenOptionalKeysAndListsCanBeTested() {
    RulesPolicy policy = policy("""
        rules:
          - id: labelled-bugs
            tools: ["*"]
            when: 'has(args.labels) && args.labels.exists(l, l == "bug")'
            effect: allow
        """);
    assertThat(policy.decide(call("list_issues", Risk.READ, caller("a"), "{\"labels\":[\"ui\",\"bug\"]}", "demo/app")))
        .isEqualTo(new Decision.Allow("labelled-bugs"));
    assertThat(policy.decide(call("list_issues", Risk.READ, caller("a"), "{}", "demo/app")))
        .isEqualTo(new Decision.Deny(Decision.DEFAULT_DENY, "no_matching_rule"));
  }

  @Test
  void decideWhenDynConditionIsNotBooleanAtRuntimeThenConditionError() {
    RulesPolicy policy = policy("""
        rules:
          - id: flag
            tools: ["*"]
            when: 'args.flag'
            effect: allow
        """);
    assertThat(policy.decide(call("list_issues", Risk.READ, caller("a"), "{\"flag\":true}", "demo/app")))
        .isEqualTo(new Decision.Allow("flag"));
    assertThat(policy.decide(call("list_issues", Risk.READ, caller("a"), "{\"flag\":\"yes\"}", "demo/app")))
        .isEqualTo(new Decision.Deny("flag", "condition_error"));
  }

  @Test
  void decideWhenApproveRuleHasOnlyApproversThenRequirementHasDefaults() {
    RulesPolicy policy = policy("""
        rules:
          - id: merge-needs-approval
            tools: [merge_pull_request]
            effect: approve
            approval:
              approvers: [approver, release-managers]
        """);
    Decision decision = policy.decide(call("merge_pull_request", caller("alice", "developer")));

    assertThat(decision).isEqualTo(new Decision.NeedsApproval("merge-needs-approval",
        new ApprovalRequirement(Set.of("approver", "release-managers"), 1, Duration.ofMinutes(15), true)));
  }

  @Test
  void decideWhenApprovalSettingsGivenThenRequirementCarriesThem() {
    RulesPolicy iso = policy("""
        rules:
          - id: two-approvers
            tools: [merge_pull_request]
            effect: approve
            approval:
              approvers: [approver]
              quorum: 2
              ttl: PT2H
              separation-of-duties: false
        """);
    RulesPolicy shortForm = policy("""
        rules:
          - id: quick
            tools: [merge_pull_request]
            effect: approve
            approval: {approvers: [approver], ttl: 30s}
        """);

    assertThat(iso.decide(call("merge_pull_request", caller("alice"))))
        .isEqualTo(new Decision.NeedsApproval("two-approvers",
            new ApprovalRequirement(Set.of("approver"), 2, Duration.ofHours(2), false)));
    assertThat(((Decision.NeedsApproval) shortForm.decide(call("merge_pull_request", caller("alice"))))
        .requirement().timeToLive()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void decideWhenPolicyHasNoRulesThenEverythingDenied() {
    assertThat(policy("rules: []\n").decide(call("list_issues", caller("alice", "developer"))))
        .isEqualTo(new Decision.Deny(Decision.DEFAULT_DENY, "no_matching_rule"));
  }

  @Test
  void explainWhenRuleMatchesThenTracesEveryRuleLookedAtInOrder() {
    RulesPolicy policy = policy("""
        rules:
          - id: deletes
            tools: ["delete_*"]
            effect: deny
          - id: admins
            tools: ["*"]
            when: '"admin" in caller.roles'
            effect: allow
          - id: reads
            tools: ["list_*"]
            effect: allow
          - id: never-reached
            tools: ["*"]
            effect: deny
        """);
    Explanation explanation = policy.explain(call("list_issues", caller("alice", "developer")));

    assertThat(explanation.decision()).isEqualTo(new Decision.Allow("reads"));
    assertThat(explanation.revision()).isEqualTo(policy.revision());
    assertThat(explanation.trace()).extracting(RuleTrace::ruleId, RuleTrace::outcome).containsExactly(
        org.assertj.core.groups.Tuple.tuple("deletes", "tool_not_covered"),
        org.assertj.core.groups.Tuple.tuple("admins", "condition_false"),
        org.assertj.core.groups.Tuple.tuple("reads", "matched"));
    assertThat(explanation.trace().get(0).detail()).contains("list_issues", "delete_*");
    assertThat(explanation.trace().get(1).detail()).contains("\"admin\" in caller.roles");
  }

  @Test
  void explainWhenConditionErrorsThenTraceSaysWhyAndStops() {
    RulesPolicy policy = policy("""
        rules:
          - id: broken
            tools: ["*"]
            when: 'args.department == "eng"'
            effect: allow
          - id: all
            tools: ["*"]
            effect: allow
        """);
    Explanation explanation = policy.explain(call("list_issues", caller("alice")));

    assertThat(explanation.decision()).isEqualTo(new Decision.Deny("broken", "condition_error"));
    assertThat(explanation.trace()).singleElement().satisfies(trace -> {
      assertThat(trace.outcome()).isEqualTo("condition_error");
      assertThat(trace.detail()).contains("department");
    });
  }

  @Test
  void explainWhenNothingMatchesThenDefaultDenyWithFullTrace() {
    Explanation explanation = READS.explain(call("list_issues", caller("mallory")));

    assertThat(explanation.decision()).isEqualTo(READS.decide(call("list_issues", caller("mallory"))));
    assertThat(explanation.trace()).extracting(RuleTrace::outcome)
        .containsExactly("condition_false", "tool_not_covered");
  }

  @Test
  void revisionIsShortSha256OfTheText() {
    String text = "rules: []\n";
    assertThat(policy(text).revision())
        .isEqualTo("sha256:" + dev.authoraization.call.Fingerprint.sha256(text).substring(0, 16))
        .matches("sha256:[0-9a-f]{16}");
  }
}
