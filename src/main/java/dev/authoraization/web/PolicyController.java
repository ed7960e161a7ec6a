package dev.authoraization.web;

import dev.authoraization.call.Decision;
import dev.authoraization.call.ToolCallGateway;
import dev.authoraization.policy.Explanation;
import io.swagger.v3.oas.annotations.Operation;
import java.util.List;
import java.util.Optional;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The dry run: what would the policy decide for this call, and why. */
@RestController
@RequestMapping("/api/v1/policy")
class PolicyController {

  private final ToolCallGateway gateway;

  PolicyController(ToolCallGateway gateway) {
    this.gateway = gateway;
  }

  record ExplainResponse(String effect, String rule, String reason, Optional<ApprovalView> approval,
      String policyRevision, List<Explanation.RuleTrace> trace) {}

  record ApprovalView(List<String> approvers, int quorum, String timeToLive, boolean separationOfDuties) {}

  @Operation(summary = "Explain the decision for a call without running it",
      description = "Evaluated for the authenticated caller. Nothing is executed or approved.")
  @PostMapping("/explain")
  ExplainResponse explain(@RequestBody ToolCallController.CallRequest body, Authentication authentication) {
    Explanation explanation = gateway.explain(ToolCallController.toCall(body, "explain", authentication));
    Decision decision = explanation.decision();
    String reason = decision instanceof Decision.Deny deny ? deny.reason() : "";
    Optional<ApprovalView> approval = decision instanceof Decision.NeedsApproval needs
        ? Optional.of(new ApprovalView(needs.requirement().approverRoles().stream().sorted().toList(),
            needs.requirement().quorum(), needs.requirement().timeToLive().toString(),
            needs.requirement().separationOfDuties()))
        : Optional.empty();
    return new ExplainResponse(decision.effect(), decision.ruleId(), reason, approval, explanation.revision(),
        explanation.trace());
  }
}
