package dev.authoraization.tool;

import dev.authoraization.credential.CredentialNeed;
import java.util.Objects;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * A tool as the catalog describes it (pipeline stage 2).
 *
 * @param name unique name, as agents call it
 * @param description what the tool does, for the model and for humans
 * @param inputSchema JSON Schema of the arguments object
 * @param risk how much harm it can do
 * @param credential the credential kind and the exact permissions the tool needs
 */
public record ToolDescriptor(
    String name, String description, JsonNode inputSchema, Risk risk, CredentialNeed credential) {

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");

  public ToolDescriptor {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(inputSchema, "inputSchema");
    Objects.requireNonNull(risk, "risk");
    Objects.requireNonNull(credential, "credential");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("tool name must match " + NAME + ": " + name);
    }
  }
}
