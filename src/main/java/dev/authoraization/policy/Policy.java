package dev.authoraization.policy;

import dev.authoraization.call.Decision;

/**
 * Decides one call (pipeline stage 3). Deny by default: a call no rule allows is denied with
 * reason {@code no_matching_rule}. Must not throw for any input; a policy that cannot be
 * evaluated fails closed with a deny.
 */
public interface Policy {

  Decision decide(PolicyInput input);

  /** The same decision, with which rules were looked at and why: the dry run. */
  Explanation explain(PolicyInput input);

  /** Identifies the policy text in force (a hash); written into every audit record. */
  String revision();
}
