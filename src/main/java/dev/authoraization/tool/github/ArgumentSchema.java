package dev.authoraization.tool.github;

import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds the small JSON Schemas (draft 2020-12 subset: object, string, integer, enum, minimum,
 * maximum, pattern-free) the GitHub tools publish, and checks arguments against exactly that
 * subset, so the schema an agent sees and the check the engine makes cannot drift apart.
 */
final class ArgumentSchema {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final ObjectNode schema = JSON.createObjectNode();
  private final ObjectNode properties;
  private final ArrayNode required;

  private ArgumentSchema() {
    schema.put("type", "object");
    properties = schema.putObject("properties");
    required = schema.putArray("required");
    schema.put("additionalProperties", false);
  }

  static ArgumentSchema object() {
    return new ArgumentSchema();
  }

  /** owner and repo, which every repository tool takes. */
  static ArgumentSchema repository() {
    return object()
        .string("owner", "Repository owner (user or organization)", true)
        .string("repo", "Repository name", true);
  }

  ArgumentSchema string(String name, String description, boolean isRequired) {
    properties.putObject(name).put("type", "string").put("description", description).put("minLength", 1);
    return require(name, isRequired);
  }

  ArgumentSchema choice(String name, String description, String defaultValue, String... values) {
    ObjectNode property = properties.putObject(name).put("type", "string").put("description", description)
        .put("default", defaultValue);
    ArrayNode allowed = property.putArray("enum");
    for (String value : values) {
      allowed.add(value);
    }
    return this;
  }

  ArgumentSchema integer(String name, String description, int min, int max, boolean isRequired) {
    properties.putObject(name).put("type", "integer").put("description", description)
        .put("minimum", min).put("maximum", max);
    return require(name, isRequired);
  }

  ArgumentSchema integer(String name, String description, int min, int max, int defaultValue) {
    properties.putObject(name).put("type", "integer").put("description", description)
        .put("minimum", min).put("maximum", max).put("default", defaultValue);
    return this;
  }

  private ArgumentSchema require(String name, boolean isRequired) {
    if (isRequired) {
      required.add(name);
    }
    return this;
  }

  ObjectNode build() {
    return schema.deepCopy();
  }

  /** Checks {@code arguments} against a schema built here; the message names the tool and field. */
  static void validate(String tool, JsonNode schema, JsonNode arguments) {
    if (!arguments.isObject()) {
      throw invalid(tool, "arguments must be a JSON object");
    }
    JsonNode properties = schema.path("properties");
    for (JsonNode name : schema.path("required").values()) {
      JsonNode value = arguments.path(name.asString());
      if (value.isMissingNode() || value.isNull()) {
        throw invalid(tool, "'" + name.asString() + "' is required");
      }
    }
    for (Map.Entry<String, JsonNode> entry : arguments.properties()) {
      String name = entry.getKey();
      JsonNode value = entry.getValue();
      JsonNode property = properties.path(name);
      if (property.isMissingNode()) {
        throw invalid(tool, "unknown argument '" + name + "' (allowed: " + String.join(", ", properties.propertyNames()) + ")");
      }
      switch (property.path("type").asString()) {
        case "string" -> {
          if (!value.isString()) {
            throw invalid(tool, "'" + name + "' must be a string");
          }
          if (value.asString().isEmpty() && property.path("minLength").asInt(0) > 0) {
            throw invalid(tool, "'" + name + "' must not be empty");
          }
          JsonNode allowed = property.path("enum");
          if (allowed.isArray() && allowed.values().stream().noneMatch(a -> a.asString().equals(value.asString()))) {
            throw invalid(tool, "'" + name + "' must be one of " + allowed.values().stream().map(JsonNode::asString).toList());
          }
        }
        case "integer" -> {
          if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw invalid(tool, "'" + name + "' must be an integer");
          }
          long number = value.longValue();
          if (number < property.path("minimum").asLong(Long.MIN_VALUE)
              || number > property.path("maximum").asLong(Long.MAX_VALUE)) {
            throw invalid(tool, "'" + name + "' must be between " + property.path("minimum").asLong()
                + " and " + property.path("maximum").asLong());
          }
        }
        default -> throw new IllegalStateException("schema type not handled: " + property);
      }
    }
  }

  private static GatewayException invalid(String tool, String why) {
    return new GatewayException(ErrorCode.INVALID_ARGUMENTS, "Invalid arguments for " + tool + ": " + why + ".");
  }
}
