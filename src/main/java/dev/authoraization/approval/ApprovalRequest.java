package dev.authoraization.approval;

import dev.authoraization.call.ApprovalRequirement;
import dev.authoraization.call.Caller;
import dev.authoraization.call.Fingerprint;
import dev.authoraization.call.ToolCall;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * One call waiting for (or past) a human decision, as stored.
 *
 * @param call the call exactly as requested; its fingerprint is what an approver approves
 * @param preconditions facts bound at request time (e.g. a pull request's head SHA)
 * @param context what the approver is shown besides the arguments, read at request time (a pull
 *     request's title, author, branches; {@link #ASKED_WITH}, the chat line that led an agent to the
 *     call): not bound, so a later change of them refuses nothing
 * @param reason why it ended as it did (deny reason, failure code), or empty
 * @param result the tool's result once EXECUTED
 */
public record ApprovalRequest(
    String id,
    String decisionId,
    ToolCall call,
    String resource,
    Fingerprint fingerprint,
    Map<String, String> preconditions,
    Map<String, String> context,
    String ruleId,
    ApprovalRequirement requirement,
    String policyRevision,
    ApprovalState state,
    Instant createdAt,
    Instant expiresAt,
    String reason,
    Optional<JsonNode> result,
    List<Vote> votes) {

  /** Context key: the user's chat line that led the agent to this call, kept as it was when asked. */
  public static final String ASKED_WITH = "asked_with";
  /** The longest {@link #ASKED_WITH} line kept, in characters. */
  public static final int MAX_ASKED_WITH = 500;

  public ApprovalRequest {
    preconditions = Map.copyOf(preconditions);
    context = Map.copyOf(context);
    votes = List.copyOf(votes);
  }

  public Caller requester() {
    return call.caller();
  }

  /** One approver's answer. */
  public record Vote(String approverSubject, String approverIssuer, Verdict verdict, String reason, Instant at) {}

  /** What an approver said. */
  public enum Verdict { APPROVE, DENY }
}
