package dev.authoraization.policy;

import dev.authoraization.call.Decision;
import java.util.List;

/**
 * A dry-run answer: the decision, the policy revision, and each rule looked at in order with
 * whether it matched and why not.
 */
public record Explanation(Decision decision, String revision, List<RuleTrace> trace) {

  public Explanation {
    trace = List.copyOf(trace);
  }

  /**
   * @param ruleId the rule
   * @param outcome {@code matched}, {@code tool_not_covered}, {@code condition_false} or
   *     {@code condition_error}
   * @param detail a human-readable line
   */
  public record RuleTrace(String ruleId, String outcome, String detail) {}
}
