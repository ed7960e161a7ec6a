package dev.authoraization.call;

import java.util.Objects;
import tools.jackson.databind.JsonNode;

/** What a tool returned: JSON data, never a credential. */
public record ToolResult(JsonNode content) {
  public ToolResult {
    Objects.requireNonNull(content, "content");
  }
}
