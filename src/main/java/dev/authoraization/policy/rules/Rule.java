package dev.authoraization.policy.rules;

import dev.authoraization.call.Decision;

/**
 * One compiled rule. Both decisions it can give are built at load, so deciding allocates nothing
 * for them.
 *
 * @param id unique in its file, {@code [a-z0-9-]+}
 * @param line where the rule starts in its file, for traces
 * @param tools the tools the rule covers
 * @param when the condition, {@link Condition#ALWAYS} when the rule has none
 * @param decision what the rule decides when it matches
 * @param conditionError what it decides when its condition cannot be evaluated: a deny, so that
 *     making a condition fail never lets a call skip the rule
 */
record Rule(String id, int line, String description, ToolMatcher tools, Condition when,
    Decision decision, Decision conditionError) {

  static final String CONDITION_ERROR = "condition_error";

  Rule(String id, int line, String description, ToolMatcher tools, Condition when, Decision decision) {
    this(id, line, description, tools, when, decision, new Decision.Deny(id, CONDITION_ERROR));
  }
}
