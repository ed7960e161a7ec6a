package dev.authoraization.policy;

import dev.authoraization.call.ToolCall;
import dev.authoraization.tool.ToolDescriptor;
import java.util.Objects;

/** What a policy decides on: the call, the tool as the catalog describes it, and its resource. */
public record PolicyInput(ToolCall call, ToolDescriptor tool, String resource) {
  public PolicyInput {
    Objects.requireNonNull(call, "call");
    Objects.requireNonNull(tool, "tool");
    Objects.requireNonNull(resource, "resource");
  }
}
