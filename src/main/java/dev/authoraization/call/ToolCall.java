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

  public ToolCall {
    Objects.requireNonNull(tool, "tool");
    Objects.requireNonNull(arguments, "arguments");
    Objects.requireNonNull(caller, "caller");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    if (!arguments.isObject()) {
      throw new GatewayException(ErrorCode.INVALID_ARGUMENTS, "Tool arguments must be a JSON object.");
    }
  }
}
