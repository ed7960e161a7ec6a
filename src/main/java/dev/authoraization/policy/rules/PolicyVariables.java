package dev.authoraization.policy.rules;

import dev.authoraization.call.Caller;
import dev.authoraization.policy.PolicyInput;
import dev.authoraization.tool.ToolDescriptor;
import dev.cel.common.values.NullValue;
import dev.cel.runtime.CelVariableResolver;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * What a condition sees of one call, converted to CEL values on first use and kept for the rest
 * of the decision, so a policy whose conditions never read {@code args} never converts them.
 * One instance per decision; not shared between threads.
 *
 * <ul>
 *   <li>{@code caller}: map with {@code subject}, {@code issuer}, {@code roles} (list of string),
 *       {@code agent} (empty string when none)
 *   <li>{@code tool}: map with {@code name} and {@code risk} ({@code READ}, {@code WRITE},
 *       {@code DESTRUCTIVE})
 *   <li>{@code args}: the JSON arguments; objects are maps, arrays lists, integral numbers int,
 *       other numbers double
 *   <li>{@code resource}: string, e.g. {@code owner/repo}
 * </ul>
 */
final class PolicyVariables implements CelVariableResolver {

  static final String CALLER = "caller";
  static final String TOOL = "tool";

  /** What {@code caller} holds; sorted roles, so a trace or an error reads the same every time. */
  private static final Map<String, Function<Caller, Object>> CALLER_FIELDS = Map.of(
      "subject", Caller::subject,
      "issuer", Caller::issuer,
      "roles", caller -> caller.roles().stream().sorted().toList(),
      "agent", caller -> caller.agent().orElse(""));

  /** What {@code tool} holds. */
  private static final Map<String, Function<ToolDescriptor, Object>> TOOL_FIELDS = Map.of(
      "name", ToolDescriptor::name,
      "risk", tool -> tool.risk().name());

  /** The fields of {@code caller} and {@code tool}: CEL sees maps, so {@link Conditions} checks names against these. */
  static final Map<String, Set<String>> FIELDS = Map.of(CALLER, CALLER_FIELDS.keySet(), TOOL, TOOL_FIELDS.keySet());
  static final String ARGS = "args";
  static final String RESOURCE = "resource";

  private final PolicyInput input;
  private @Nullable Object caller;
  private @Nullable Object tool;
  private @Nullable Object args;

  PolicyVariables(PolicyInput input) {
    this.input = input;
  }

  @Override
  public Optional<Object> find(String name) {
    return switch (name) {
      case CALLER -> Optional.of(caller != null ? caller : (caller = caller(input.call().caller())));
      case TOOL -> Optional.of(tool != null ? tool : (tool = fields(TOOL_FIELDS, input.tool())));
      case ARGS -> Optional.of(args != null ? args : (args = toCel(input.call().arguments(), 0)));
      case RESOURCE -> Optional.of(input.resource());
      default -> Optional.empty();
    };
  }

  static Map<String, Object> caller(Caller caller) {
    return fields(CALLER_FIELDS, caller);
  }

  private static <T> Map<String, Object> fields(Map<String, Function<T, Object>> fields, T from) {
    Map<String, Object> values = HashMap.newHashMap(fields.size());
    fields.forEach((name, field) -> values.put(name, field.apply(from)));
    return Collections.unmodifiableMap(values);
  }

  /**
   * Deeper arguments are refused (the condition then fails closed) rather than risk the stack;
   * no tool takes arguments nested anywhere near this.
   */
  static final int MAX_DEPTH = 64;

  /** JSON to CEL values: https://github.com/google/cel-spec/blob/master/doc/langdef.md#json-data-conversion */
  private static Object toCel(JsonNode node, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("arguments are nested deeper than " + MAX_DEPTH);
    }
    if (node.isObject()) {
      Map<String, Object> map = new HashMap<>();
      for (Map.Entry<String, JsonNode> property : node.properties()) {
        map.put(property.getKey(), toCel(property.getValue(), depth + 1));
      }
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>(node.size());
      for (JsonNode element : node.values()) {
        list.add(toCel(element, depth + 1));
      }
      return list;
    }
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      return node.longValue();
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isNull() || node.isMissingNode()) {
      return NullValue.NULL_VALUE;
    }
    return node.asString();
  }
}
