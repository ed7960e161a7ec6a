package dev.authoraization.policy.rules;

import dev.authoraization.call.ApprovalRequirement;
import dev.authoraization.call.Decision;
import java.io.StringReader;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a policy file into compiled rules. Works on SnakeYAML's node graph rather than on loaded
 * maps so that every error can name the line it is on; anything not in the format (an unknown
 * key, a wrong type, a duplicate) is an error, because a policy that silently ignores a typo
 * decides differently from what its author reads.
 */
final class PolicyFileReader {

  private static final Pattern RULE_ID = Pattern.compile("[a-z0-9-]+");
  private static final Pattern REASON = Pattern.compile("[a-z0-9_]+");
  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,9})(s|m|h|d)");
  private static final Set<String> TOP_KEYS = Set.of("rules");
  private static final Set<String> RULE_KEYS =
      Set.of("id", "description", "tools", "when", "effect", "reason", "approval");
  private static final Set<String> APPROVAL_KEYS =
      Set.of("approvers", "quorum", "ttl", "separation-of-duties");
  private static final String DEFAULT_REASON = "denied_by_rule";
  private static final Duration DEFAULT_TTL = Duration.ofMinutes(15);

  private final String origin;
  private final Conditions conditions;

  PolicyFileReader(String origin, Conditions conditions) {
    this.origin = origin;
    this.conditions = conditions;
  }

  List<Rule> read(String text) {
    Node root = compose(text);
    Map<String, NodeTuple> top = mapping(root, null, TOP_KEYS, "the policy");
    NodeTuple rulesEntry = top.get("rules");
    if (rulesEntry == null) {
      throw error(root, null, "a policy has a top-level 'rules:' list");
    }
    if (!(rulesEntry.getValueNode() instanceof SequenceNode sequence)) {
      throw error(rulesEntry.getValueNode(), null, "'rules' must be a list of rules");
    }
    List<Rule> rules = new ArrayList<>();
    Map<String, Integer> seen = new LinkedHashMap<>();
    int index = 0;
    for (Node ruleNode : sequence.getValue()) {
      index++;
      Rule rule = rule(ruleNode, index);
      Integer firstLine = seen.putIfAbsent(rule.id(), rule.line());
      if (firstLine != null) {
        throw error(ruleNode, "'" + rule.id() + "'",
            "duplicate rule id, first used on line " + firstLine);
      }
      rules.add(rule);
    }
    return List.copyOf(rules);
  }

  private Node compose(String text) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(20);
    options.setAllowRecursiveKeys(false);
    options.setNestingDepthLimit(20);
    try {
      Node root = new Yaml(options).compose(new StringReader(text));
      if (root == null) {
        throw new PolicyLoadException("Policy file " + origin + ", line 1: is empty; "
            + "a policy has a top-level 'rules:' list");
      }
      return root;
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String line = mark == null ? "" : ", line " + (mark.getLine() + 1);
      throw new PolicyLoadException("Policy file " + origin + line + ": is not valid YAML: "
          + e.getProblem(), e);
    } catch (YAMLException e) {
      throw new PolicyLoadException("Policy file " + origin + ": is not valid YAML: "
          + e.getMessage(), e);
    }
  }

  private Rule rule(Node node, int index) {
    String name = "#" + index;
    if (node instanceof MappingNode map) {
      // Name the rule by its id in every later error, if it has a usable one.
      for (NodeTuple tuple : map.getValue()) {
        if (tuple.getKeyNode() instanceof ScalarNode key && key.getValue().equals("id")
            && tuple.getValueNode() instanceof ScalarNode id) {
          name = "'" + id.getValue() + "'";
        }
      }
    }
    Map<String, NodeTuple> entries = mapping(node, name, RULE_KEYS, "a rule");

    Node idNode = required(entries, "id", node, name);
    String id = scalar(idNode, name, "id");
    if (!RULE_ID.matcher(id).matches()) {
      throw error(idNode, name, "rule id must match [a-z0-9-]+");
    }
    if (id.equals(Decision.DEFAULT_DENY)) {
      throw error(idNode, name, "rule id '" + Decision.DEFAULT_DENY
          + "' is reserved for the deny when no rule matches");
    }

    String description = entries.containsKey("description")
        ? scalar(entries.get("description").getValueNode(), name, "description") : "";

    ToolMatcher tools = tools(required(entries, "tools", node, name), name);

    Condition when = Condition.ALWAYS;
    if (entries.containsKey("when")) {
      Node whenNode = entries.get("when").getValueNode();
      String expression = scalar(whenNode, name, "when");
      try {
        when = conditions.compile(expression);
      } catch (IllegalArgumentException e) {
        throw error(whenNode, name, e.getMessage());
      }
    }

    Node effectNode = required(entries, "effect", node, name);
    String effect = scalar(effectNode, name, "effect");
    Decision decision = switch (effect) {
      case "allow" -> new Decision.Allow(id);
      case "deny" -> new Decision.Deny(id, reason(entries, name));
      case "approve" -> new Decision.NeedsApproval(id, approval(entries, node, name));
      default -> throw error(effectNode, name,
          "effect must be allow, deny or approve, not '" + effect + "'");
    };
    if (!effect.equals("deny") && entries.containsKey("reason")) {
      throw error(entries.get("reason").getKeyNode(), name, "'reason' is only for deny rules");
    }
    if (!effect.equals("approve") && entries.containsKey("approval")) {
      throw error(entries.get("approval").getKeyNode(), name, "'approval' is only for approve rules");
    }
    return new Rule(id, line(node), description, tools, when, decision);
  }

  private ToolMatcher tools(Node node, String rule) {
    if (!(node instanceof SequenceNode sequence) || sequence.getValue().isEmpty()) {
      throw error(node, rule, "'tools' must be a non-empty list of tool names or globs, "
          + "such as [\"list_*\", get_issue]; use [\"*\"] for every tool");
    }
    List<String> patterns = new ArrayList<>();
    for (Node element : sequence.getValue()) {
      String pattern = scalar(element, rule, "tools");
      if (!Glob.SYNTAX.matcher(pattern).matches()) {
        throw error(element, rule, "tool pattern '" + pattern
            + "' may only use a-z, 0-9, _ and the wildcards * and ?");
      }
      patterns.add(pattern);
    }
    return new ToolMatcher(patterns);
  }

  private String reason(Map<String, NodeTuple> entries, String rule) {
    if (!entries.containsKey("reason")) {
      return DEFAULT_REASON;
    }
    Node node = entries.get("reason").getValueNode();
    String reason = scalar(node, rule, "reason");
    if (!REASON.matcher(reason).matches()) {
      throw error(node, rule, "reason must be a code matching [a-z0-9_]+");
    }
    return reason;
  }

  private ApprovalRequirement approval(Map<String, NodeTuple> entries, Node ruleNode, String rule) {
    if (!entries.containsKey("approval")) {
      throw error(ruleNode, rule, "an approve rule needs 'approval:' with a list of 'approvers'");
    }
    Node approvalNode = entries.get("approval").getValueNode();
    Map<String, NodeTuple> approval = mapping(approvalNode, rule, APPROVAL_KEYS, "'approval'");
    if (!approval.containsKey("approvers")) {
      throw error(approvalNode, rule, "'approval' needs 'approvers': a list of roles or groups");
    }
    Node approversNode = approval.get("approvers").getValueNode();
    if (!(approversNode instanceof SequenceNode approvers) || approvers.getValue().isEmpty()) {
      throw error(approversNode, rule, "'approvers' must be a non-empty list of roles or groups");
    }
    Set<String> roles = new LinkedHashSet<>();
    for (Node element : approvers.getValue()) {
      String role = scalar(element, rule, "approvers");
      if (role.isBlank()) {
        throw error(element, rule, "an approver role must not be blank");
      }
      roles.add(role);
    }

    int quorum = 1;
    if (approval.containsKey("quorum")) {
      Node node = approval.get("quorum").getValueNode();
      String value = scalar(node, rule, "quorum");
      try {
        quorum = Integer.parseInt(value);
      } catch (NumberFormatException e) {
        quorum = 0;
      }
      if (quorum < 1) {
        throw error(node, rule, "quorum must be a whole number of at least 1, not '" + value + "'");
      }
    }

    Duration ttl = DEFAULT_TTL;
    if (approval.containsKey("ttl")) {
      Node node = approval.get("ttl").getValueNode();
      String value = scalar(node, rule, "ttl");
      ttl = duration(value);
      if (ttl == null || ttl.isNegative() || ttl.isZero()) {
        throw error(node, rule, "ttl must be a positive duration such as 30s, 15m, 2h or PT15M, not '"
            + value + "'");
      }
    }

    boolean separation = true;
    if (approval.containsKey("separation-of-duties")) {
      Node node = approval.get("separation-of-duties").getValueNode();
      if (!(node instanceof ScalarNode scalar) || !scalar.getTag().equals(Tag.BOOL)) {
        throw error(node, rule, "separation-of-duties must be true or false");
      }
      separation = Boolean.parseBoolean(scalar.getValue().toLowerCase(java.util.Locale.ROOT));
    }
    return new ApprovalRequirement(roles, quorum, ttl, separation);
  }

  /** ISO-8601 ({@code PT15M}) or the short forms {@code 30s}, {@code 15m}, {@code 2h}, {@code 1d}. */
  static @Nullable Duration duration(String text) {
    Matcher matcher = SHORT_DURATION.matcher(text);
    if (matcher.matches()) {
      long amount = Long.parseLong(matcher.group(1));
      return switch (matcher.group(2)) {
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> Duration.ofDays(amount);
      };
    }
    try {
      return Duration.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** A mapping's entries by key, refusing keys outside {@code allowed} and repeated keys. */
  private Map<String, NodeTuple> mapping(Node node, @Nullable String rule, Set<String> allowed,
      String what) {
    if (!(node instanceof MappingNode map)) {
      throw error(node, rule, what + " must be a mapping of keys to values");
    }
    Map<String, NodeTuple> entries = new LinkedHashMap<>();
    Set<String> keys = new HashSet<>();
    for (NodeTuple tuple : map.getValue()) {
      if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
        throw error(tuple.getKeyNode(), rule, "keys must be plain words");
      }
      String key = keyNode.getValue();
      if (!allowed.contains(key)) {
        throw error(keyNode, rule, "unknown key '" + key + "' in " + what + "; allowed: "
            + allowed.stream().sorted().toList());
      }
      if (!keys.add(key)) {
        throw error(keyNode, rule, "key '" + key + "' appears twice in " + what);
      }
      entries.put(key, tuple);
    }
    return entries;
  }

  private Node required(Map<String, NodeTuple> entries, String key, Node parent, String rule) {
    NodeTuple tuple = entries.get(key);
    if (tuple == null) {
      throw error(parent, rule, "a rule needs '" + key + "'");
    }
    return tuple.getValueNode();
  }

  private String scalar(Node node, @Nullable String rule, String key) {
    if (!(node instanceof ScalarNode scalar) || scalar.getTag().equals(Tag.NULL)) {
      throw error(node, rule, "'" + key + "' must be a single value");
    }
    return scalar.getValue();
  }

  private static int line(Node node) {
    return node.getStartMark().getLine() + 1;
  }

  private PolicyLoadException error(Node node, @Nullable String rule, String message) {
    return new PolicyLoadException("Policy file " + origin + ", line " + line(node)
        + (rule == null ? "" : ", rule " + rule) + ": " + message);
  }
}
