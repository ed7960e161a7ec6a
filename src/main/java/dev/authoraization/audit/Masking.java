package dev.authoraization.audit;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Replaces the value of every secret-looking object key, at any depth and in any letter case,
 * with {@value #REDACTED}. The log applies it itself so that no caller can forget to (the
 * "input (masked)" of OPA's decision log).
 */
final class Masking {

  static final String REDACTED = "[redacted]";

  private final Set<String> keys;

  Masking(Collection<String> fields) {
    this.keys = fields.stream().map(Masking::lower).collect(Collectors.toUnmodifiableSet());
  }

  /** A masked copy; the input is left as it was (callers may still need it to act). */
  JsonNode mask(JsonNode node) {
    if (node.isObject()) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      for (Map.Entry<String, JsonNode> property : node.properties()) {
        if (keys.contains(lower(property.getKey()))) {
          out.put(property.getKey(), REDACTED);
        } else {
          out.set(property.getKey(), mask(property.getValue()));
        }
      }
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      for (JsonNode element : node.values()) {
        out.add(mask(element));
      }
      return out;
    }
    return node;
  }

  private static String lower(String key) {
    return key.toLowerCase(Locale.ROOT);
  }
}
