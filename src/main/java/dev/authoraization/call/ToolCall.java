package dev.authoraization.call;

import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * One request to run one tool, as a door received it.
 *
 * @param tool the tool's name in the catalog
 * @param arguments the tool's arguments, a JSON object
 * @param caller who asks
 * @param idempotencyKey the client's key: asking twice with the same key asks once
 */
public record ToolCall(String tool, JsonNode arguments, Caller caller, String idempotencyKey) {

  /** The longest tool name a call may carry. */
  public static final int MAX_TOOL_NAME = 128;

  public ToolCall {
    Objects.requireNonNull(tool, "tool");
    Objects.requireNonNull(arguments, "arguments");
    Objects.requireNonNull(caller, "caller");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    // longer than any tool name and than the audit record's tool column: such a call could not
    // be recorded, so it is refused here, at every door, before the pipeline (docs/security.md)
    if (tool.length() > MAX_TOOL_NAME) {
      throw new GatewayException(ErrorCode.INVALID_ARGUMENTS,
          "A tool name has at most " + MAX_TOOL_NAME + " characters.");
    }
    // PostgreSQL stores no NUL in text: the audit append (or the approval insert) would fail, so
    // the attempt would go unrecorded; arguments are safe, they are stored as escaped JSON
    if (tool.indexOf('\0') >= 0 || idempotencyKey.indexOf('\0') >= 0) {
      throw new GatewayException(ErrorCode.INVALID_ARGUMENTS,
          "A tool name or idempotency key must not contain a NUL character.");
    }
    // a name is an identifier: a line break in it would let the caller start a line of its own
    // wherever the engine logs the name (log forging)
    if (tool.chars().anyMatch(Character::isISOControl)) {
      throw new GatewayException(ErrorCode.INVALID_ARGUMENTS,
          "A tool name must not contain control characters (line breaks, tabs, NUL and the like).");
    }
    if (!arguments.isObject()) {
      throw new GatewayException(ErrorCode.INVALID_ARGUMENTS, "Tool arguments must be a JSON object.");
    }
  }
}
