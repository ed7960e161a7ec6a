package dev.authoraization.call;

import java.time.Instant;

/** What {@code ToolCallGateway.execute} gives back: a result now, or a request parked for approval. */
public sealed interface CallOutcome {

  String decisionId();

  record Completed(String decisionId, ToolResult result) implements CallOutcome {}

  /** The call waits for a human; follow it by {@code approvalId}. */
  record Pending(String decisionId, String approvalId, Fingerprint fingerprint, Instant expiresAt)
      implements CallOutcome {}
}
