package dev.authoraization.policy.rules;

import static dev.authoraization.policy.rules.Calls.caller;
import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.call.Caller;
import dev.authoraization.tool.Risk;
import dev.authoraization.tool.ToolDescriptor;
import org.junit.jupiter.api.Test;

/** Which tools a door lists to a caller: those some call could be allowed for, and no others. */
class RulesPolicyOffersTests {

  private static final RulesPolicy POLICY = RulesPolicy.parse("/test/offers.yaml", """
      rules:
        - id: interns-read-nothing
          tools: ["*"]
          when: '"intern" in caller.roles'
          effect: deny
          reason: interns
        - id: read
          tools: ["read_*"]
          when: '"developer" in caller.roles'
          effect: allow
        - id: merge-demo
          tools: ["merge_*"]
          when: '"developer" in caller.roles && resource.startsWith("demo/")'
          effect: approve
          approval:
            approvers: [approver]
        - id: drafts
          tools: ["comment_*"]
          when: 'args.draft == true || "writer" in caller.roles'
          effect: allow
        - id: no-deletes
          tools: ["delete_*"]
          effect: deny
          reason: destructive_tool_forbidden
        - id: never
          tools: ["archive_*"]
          when: '"developer" in caller.roles && false'
          effect: allow
      """);

  private static ToolDescriptor tool(String name) {
    return Calls.call(name, Risk.READ, caller("x"), "{}", "").tool();
  }

  private static boolean offers(Caller caller, String tool) {
    return POLICY.offers(caller, tool(tool));
  }

  @Test
  void offersWhenAnAllowRuleHoldsForTheCaller() {
    assertThat(offers(caller("alice", "developer"), "read_notes")).isTrue();
  }

  @Test
  void notOfferedWhenTheCallerPartOfTheConditionIsFalse() {
    assertThat(offers(caller("bob", "guest"), "read_notes")).isFalse();
    assertThat(offers(caller("bob", "guest"), "merge_change")).isFalse();
  }

  @Test
  void offeredWhenTheConditionDependsOnTheResourceOfTheCall() {
    // With resource "" this condition would be false; the resource is unknown, not empty.
    assertThat(offers(caller("alice", "developer"), "merge_change")).isTrue();
  }

  @Test
  void offeredWhenTheConditionDependsOnTheArguments() {
    assertThat(offers(caller("bob", "guest"), "comment_on_issue")).isTrue();
    assertThat(offers(caller("carol", "writer"), "comment_on_issue")).isTrue();
  }

  @Test
  void notOfferedWhenOnlyDenyRulesCoverTheTool() {
    assertThat(offers(caller("alice", "developer"), "delete_repository")).isFalse();
  }

  @Test
  void notOfferedWhenNoRuleCoversTheTool() {
    assertThat(offers(caller("alice", "developer"), "push_tag")).isFalse();
  }

  @Test
  void notOfferedWhenAnEarlierDenyRuleDefinitelyHolds() {
    assertThat(offers(caller("ivan", "developer", "intern"), "read_notes")).isFalse();
  }

  @Test
  void notOfferedWhenTheConditionIsFalseWhateverTheCall() {
    assertThat(offers(caller("alice", "developer"), "archive_repository")).isFalse();
  }
}
