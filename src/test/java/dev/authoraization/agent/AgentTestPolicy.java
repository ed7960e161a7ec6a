package dev.authoraization.agent;

import dev.authoraization.call.ApprovalRequirement;
import dev.authoraization.call.Caller;
import dev.authoraization.call.Decision;
import dev.authoraization.policy.Explanation;
import dev.authoraization.policy.Policy;
import dev.authoraization.policy.PolicyInput;
import dev.authoraization.tool.ToolDescriptor;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** read_notes is allowed, merge_change needs one approver; {@code offered} is what the model may see. */
record AgentTestPolicy(Set<String> offered) implements Policy {

  @Override
  public Decision decide(PolicyInput input) {
    return switch (input.call().tool()) {
      case "read_notes" -> new Decision.Allow("read");
      case "merge_change" -> new Decision.NeedsApproval("merge",
          new ApprovalRequirement(Set.of("approver"), 1, Duration.ofMinutes(15), true));
      default -> new Decision.Deny(Decision.DEFAULT_DENY, "no_matching_rule");
    };
  }

  @Override
  public Explanation explain(PolicyInput input) {
    return new Explanation(decide(input), revision(), List.of());
  }

  @Override
  public boolean offers(Caller caller, ToolDescriptor tool) {
    return offered.contains(tool.name());
  }

  @Override
  public String revision() {
    return "test";
  }
}
