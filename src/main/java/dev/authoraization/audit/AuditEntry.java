package dev.authoraization.audit;

import dev.authoraization.call.Caller;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * One thing worth a record, before it is chained. Empty strings mean "not applicable"; the
 * arguments are masked by the log before they are stored.
 *
 * @param event what happened: {@code call.decided}, {@code call.executed}, {@code call.failed},
 *     {@code approval.requested}, {@code approval.vote}, {@code approval.approved},
 *     {@code approval.denied}, {@code approval.expired}, {@code approval.cancelled},
 *     {@code approval.claimed}
 * @param decisionId the id shared by every record of one call
 * @param effect allow, deny or approve, as the policy decided
 * @param outcome what came of it: executed, failed, pending, denied, ...
 * @param credential a description of the credential used (never its value); "broad" ones say so
 * @param evidence channel evidence for an approval (e.g. a signed assertion), or an empty object
 */
public record AuditEntry(
    String event,
    String decisionId,
    String subject,
    String issuer,
    String agent,
    String tool,
    JsonNode arguments,
    String effect,
    String ruleId,
    String reason,
    String approvalId,
    String approver,
    String outcome,
    String credential,
    String policyRevision,
    JsonNode evidence) {

  public AuditEntry {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(decisionId, "decisionId");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(tool, "tool");
    Objects.requireNonNull(arguments, "arguments");
    Objects.requireNonNull(effect, "effect");
    Objects.requireNonNull(ruleId, "ruleId");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(approvalId, "approvalId");
    Objects.requireNonNull(approver, "approver");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(credential, "credential");
    Objects.requireNonNull(policyRevision, "policyRevision");
    Objects.requireNonNull(evidence, "evidence");
  }

  public static Builder event(String event, String decisionId) {
    return new Builder(event, decisionId);
  }

  /** Builds an entry field by field; unset fields are empty. */
  public static final class Builder {
    private final String event;
    private final String decisionId;
    private String subject = "";
    private String issuer = "";
    private String agent = "";
    private String tool = "";
    private JsonNode arguments = JsonNodeFactory.instance.objectNode();
    private String effect = "";
    private String ruleId = "";
    private String reason = "";
    private String approvalId = "";
    private String approver = "";
    private String outcome = "";
    private String credential = "";
    private String policyRevision = "";
    private JsonNode evidence = JsonNodeFactory.instance.objectNode();

    private Builder(String event, String decisionId) {
      this.event = event;
      this.decisionId = decisionId;
    }

    public Builder caller(Caller caller) {
      this.subject = caller.subject();
      this.issuer = caller.issuer();
      this.agent = caller.agent().orElse("");
      return this;
    }

    public Builder tool(String tool, JsonNode arguments) {
      this.tool = tool;
      this.arguments = arguments;
      return this;
    }

    public Builder decision(String effect, String ruleId, String reason) {
      this.effect = effect;
      this.ruleId = ruleId;
      this.reason = reason;
      return this;
    }

    public Builder approval(String approvalId, String approver) {
      this.approvalId = approvalId;
      this.approver = approver;
      return this;
    }

    public Builder outcome(String outcome) {
      this.outcome = outcome;
      return this;
    }

    public Builder reason(String reason) {
      this.reason = reason;
      return this;
    }

    public Builder credential(String credential) {
      this.credential = credential;
      return this;
    }

    public Builder policyRevision(String policyRevision) {
      this.policyRevision = policyRevision;
      return this;
    }

    public Builder evidence(JsonNode evidence) {
      this.evidence = evidence;
      return this;
    }

    public AuditEntry build() {
      return new AuditEntry(event, decisionId, subject, issuer, agent, tool, arguments, effect,
          ruleId, reason, approvalId, approver, outcome, credential, policyRevision, evidence);
    }
  }
}
