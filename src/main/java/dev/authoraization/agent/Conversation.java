package dev.authoraization.agent;

import dev.authoraization.call.Caller;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * One chat, as stored: its owner (the caller every tool call is made for), where the run stands,
 * the messages so far, and every tool call the agent made.
 *
 * @param pending the tool call waiting for a human, while {@code status} is waiting_for_approval
 * @param reply the agent's last answer to the user
 */
public record Conversation(
    String id,
    Caller owner,
    Status status,
    Optional<Pending> pending,
    List<StoredMessage> messages,
    List<ToolCallReport> toolCalls,
    String reply,
    Instant createdAt,
    Instant updatedAt) {

  public Conversation {
    messages = List.copyOf(messages);
    toolCalls = List.copyOf(toolCalls);
  }

  public Optional<String> approvalId() {
    return pending.map(Pending::approvalId);
  }

  /** Where a conversation's run stands. */
  public enum Status {
    /** Idle: ready for the next message. */
    ACTIVE,
    /** A run is in progress (a message being answered or a resumption). */
    RUNNING,
    /** A tool call waits for a human approval; the run resumes when it is decided. */
    WAITING_FOR_APPROVAL;

    public String id() {
      return name().toLowerCase();
    }

    static Status of(String id) {
      return valueOf(id.toUpperCase());
    }
  }

  /**
   * One message of the conversation in a model-independent form (Spring AI's messages are not
   * meant for storage). Roles: user, assistant (text and/or tool calls), tool (tool results).
   */
  public record StoredMessage(String role, String text, List<StoredToolCall> toolCalls, List<StoredResponse> responses) {
    public StoredMessage {
      toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
      responses = responses == null ? List.of() : List.copyOf(responses);
      text = text == null ? "" : text;
    }

    static StoredMessage user(String text) {
      return new StoredMessage("user", text, List.of(), List.of());
    }

    static StoredMessage assistant(String text, List<StoredToolCall> calls) {
      return new StoredMessage("assistant", text, calls, List.of());
    }

    static StoredMessage tool(List<StoredResponse> responses) {
      return new StoredMessage("tool", "", List.of(), responses);
    }
  }

  /** A tool call as the model asked for it: arguments are the model's JSON text, unparsed. */
  public record StoredToolCall(String id, String name, String arguments) {}

  /** What went back to the model for one tool call (an enveloped result or the engine's refusal). */
  public record StoredResponse(String id, String name, String data) {}

  /**
   * The tool call waiting for a human. {@code responses} holds the answers for every tool call of
   * that model turn, in order; the one at {@code index} is filled in when the approval is decided.
   */
  public record Pending(String approvalId, String toolCallId, String tool, int index, List<StoredResponse> responses) {
    public Pending {
      responses = List.copyOf(responses);
    }
  }

  /**
   * One tool call the agent made, as the user sees it.
   *
   * @param decision allowed, pending, or the gateway's error code (denied, unknown_tool, …); for a
   *     resumed call the approval's final state (executed, denied, expired, cancelled, failed)
   * @param durationMs how long the gateway took to answer the call in this run; {@link #NOT_TIMED}
   *     for a resumed call, which ran when its approval was decided, outside the agent's run
   * @param approvalId the approval request's id, or empty
   */
  public record ToolCallReport(String tool, JsonNode arguments, String decision, long durationMs, String approvalId,
      String decisionId) {

    /** The {@code durationMs} of a call the agent did not time itself. */
    public static final long NOT_TIMED = -1;
  }
}
