package dev.authoraization.policy;

import dev.authoraization.call.Caller;
import dev.authoraization.call.Decision;
import dev.authoraization.tool.ToolDescriptor;

/**
 * Decides one call (pipeline stage 3). Deny by default: a call no rule allows is denied with
 * reason {@code no_matching_rule}. Must not throw for any input; a policy that cannot be
 * evaluated fails closed with a deny.
 */
public interface Policy {

  Decision decide(PolicyInput input);

  /** The same decision, with which rules were looked at and why: the dry run. */
  Explanation explain(PolicyInput input);

  /**
   * Whether this caller could ever be allowed (possibly after approval) to call this tool, for
   * some arguments and resource: what a door lists to the caller. Not a decision: every call is
   * still decided by {@link #decide}. Offering too much is harmless, offering too little hides a
   * tool the caller may use, so an implementation that cannot tell offers.
   */
  default boolean offers(Caller caller, ToolDescriptor tool) {
    return true;
  }

  /** Identifies the policy text in force (a hash); written into every audit record. */
  String revision();
}
