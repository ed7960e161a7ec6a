package dev.authoraization.policy.rules;

import dev.authoraization.call.Caller;
import dev.authoraization.call.ToolCall;
import dev.authoraization.credential.CredentialNeed;
import dev.authoraization.policy.PolicyInput;
import dev.authoraization.tool.Risk;
import dev.authoraization.tool.ToolDescriptor;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;

/** Builds policy inputs the way the pipeline would. */
final class Calls {

  static final JsonMapper JSON = JsonMapper.builder().build();

  private Calls() {}

  static Caller caller(String subject, String... roles) {
    return Caller.of(subject, "https://idp.example", Set.of(roles));
  }

  static PolicyInput call(String tool, Risk risk, Caller caller, String argumentsJson, String resource) {
    ToolDescriptor descriptor = new ToolDescriptor(tool, "test tool " + tool,
        JSON.readTree("{\"type\":\"object\"}"), risk,
        new CredentialNeed("github", Map.of("issues", "read")));
    ToolCall call = new ToolCall(tool, JSON.readTree(argumentsJson), caller, "key-1");
    return new PolicyInput(call, descriptor, resource);
  }

  static PolicyInput call(String tool, Caller caller) {
    return call(tool, Risk.READ, caller, "{}", "demo/app");
  }
}
