package dev.authoraization.call;

import java.util.Objects;

/** What the policy says of one call (pipeline stage 3). Every decision names the rule that made it. */
public sealed interface Decision {

  /** The rule that decided; {@value #DEFAULT_DENY} when none matched. */
  String ruleId();

  String DEFAULT_DENY = "default-deny";

  /** The effect as written in the audit log and metrics: allow, deny or approve. */
  String effect();

  record Allow(String ruleId) implements Decision {
    public Allow {
      Objects.requireNonNull(ruleId, "ruleId");
    }

    @Override
    public String effect() {
      return "allow";
    }
  }

  /**
   * @param reason a machine-readable reason code, such as {@code no_matching_rule}
   */
  record Deny(String ruleId, String reason) implements Decision {
    public Deny {
      Objects.requireNonNull(ruleId, "ruleId");
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String effect() {
      return "deny";
    }
  }

  record NeedsApproval(String ruleId, ApprovalRequirement requirement) implements Decision {
    public NeedsApproval {
      Objects.requireNonNull(ruleId, "ruleId");
      Objects.requireNonNull(requirement, "requirement");
    }

    @Override
    public String effect() {
      return "approve";
    }
  }
}
