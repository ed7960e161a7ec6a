package dev.authoraization.policy.rules;

import dev.authoraization.call.Caller;
import dev.authoraization.call.Decision;
import dev.authoraization.call.Fingerprint;
import dev.authoraization.policy.Explanation;
import dev.authoraization.policy.Explanation.RuleTrace;
import dev.authoraization.policy.Policy;
import dev.authoraization.policy.PolicyInput;
import dev.authoraization.policy.rules.Condition.ConditionError;
import dev.authoraization.tool.ToolDescriptor;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A policy of ordered rules read from a YAML file (format: {@code policy/default-policy.yaml};
 * see docs/adr/0003-policy-yaml-and-cel.md). The first rule whose tools cover the call and whose
 * condition holds decides; no such rule means deny with {@code no_matching_rule}. A condition
 * that cannot be evaluated denies with {@code condition_error} in the name of its rule, without
 * looking further. Everything is parsed and compiled in {@link #parse}; deciding only evaluates.
 */
public final class RulesPolicy implements Policy {

  static final String NO_MATCHING_RULE = "no_matching_rule";
  static final String POLICY_ERROR = "policy_error";

  private static final Logger log = LoggerFactory.getLogger(RulesPolicy.class);
  private static final Decision NO_MATCH = new Decision.Deny(Decision.DEFAULT_DENY, NO_MATCHING_RULE);
  private static final Decision BROKEN = new Decision.Deny(Decision.DEFAULT_DENY, POLICY_ERROR);

  /** Tools come from the catalog, so a few dozen names; the bound only guards against misuse. */
  private static final int MAX_INDEXED_TOOLS = 4096;

  private final String origin;
  private final Rule[] rules;
  private final String revision;
  /** Per tool name, the rules whose tools cover it, in order: globs are matched once per name. */
  private final ConcurrentHashMap<String, Rule[]> rulesByTool = new ConcurrentHashMap<>();

  private RulesPolicy(String origin, List<Rule> rules, String revision) {
    this.origin = origin;
    this.rules = rules.toArray(Rule[]::new);
    this.revision = revision;
  }

  /** Reads, parses and compiles a policy file. */
  public static RulesPolicy load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (CharacterCodingException e) {
      throw new PolicyLoadException("Policy file " + file + ": is not UTF-8 text.", e);
    } catch (IOException e) {
      throw new PolicyLoadException("Policy file " + file + ": cannot be read: " + e, e);
    }
    return parse(file.toString(), text);
  }

  /**
   * Parses and compiles a policy text.
   *
   * @param origin where the text comes from (a path, {@code classpath:...}), named in errors
   * @throws PolicyLoadException naming the origin, the line and the rule
   */
  public static RulesPolicy parse(String origin, String text) {
    List<Rule> rules = new PolicyFileReader(origin, new Conditions()).read(text);
    // The hash of the text is the hash of the file's bytes: the file was decoded as strict UTF-8.
    String revision = "sha256:" + Fingerprint.sha256(text).substring(0, 16);
    return new RulesPolicy(origin, rules, revision);
  }

  @Override
  public Decision decide(PolicyInput input) {
    try {
      PolicyVariables variables = new PolicyVariables(input);
      String tool = input.tool().name();
      for (Rule rule : rulesCovering(tool)) {
        try {
          if (rule.when().test(variables)) {
            return rule.decision();
          }
        } catch (ConditionError e) {
          log.warn("Policy rule '{}' in {} could not be evaluated for tool {}; denied: {}",
              rule.id(), origin, tool, e.getMessage());
          return rule.conditionError();
        }
      }
      return NO_MATCH;
    } catch (RuntimeException e) {
      log.error("Policy {} failed to decide for tool {}; denied", origin, input.tool().name(), e);
      return BROKEN;
    }
  }

  private Rule[] rulesCovering(String tool) {
    Rule[] covering = rulesByTool.get(tool);
    if (covering == null) {
      covering = Arrays.stream(rules).filter(rule -> rule.tools().covers(tool)).toArray(Rule[]::new);
      if (rulesByTool.size() < MAX_INDEXED_TOOLS) {
        rulesByTool.putIfAbsent(tool, covering);
      }
    }
    return covering;
  }

  @Override
  public Explanation explain(PolicyInput input) {
    List<RuleTrace> trace = new ArrayList<>();
    try {
      PolicyVariables variables = new PolicyVariables(input);
      String tool = input.tool().name();
      for (Rule rule : rules) {
        if (!rule.tools().covers(tool)) {
          trace.add(new RuleTrace(rule.id(), "tool_not_covered",
              "tool " + tool + " is not one of " + rule.tools()));
          continue;
        }
        try {
          if (rule.when().test(variables)) {
            trace.add(new RuleTrace(rule.id(), "matched", "tool " + tool + " is one of "
                + rule.tools() + " and `" + rule.when().source() + "` is true: "
                + rule.decision().effect()
                + (rule.description().isEmpty() ? "" : " (" + rule.description() + ")")));
            return new Explanation(rule.decision(), revision, trace);
          }
          trace.add(new RuleTrace(rule.id(), "condition_false",
              "`" + rule.when().source() + "` is false"));
        } catch (ConditionError e) {
          trace.add(new RuleTrace(rule.id(), "condition_error", "`" + rule.when().source()
              + "` could not be evaluated (" + e.getMessage() + "): denied, later rules not looked at"));
          return new Explanation(rule.conditionError(), revision, trace);
        }
      }
      return new Explanation(NO_MATCH, revision, trace);
    } catch (RuntimeException e) {
      log.error("Policy {} failed to explain for tool {}; denied", origin, input.tool().name(), e);
      return new Explanation(BROKEN, revision, trace);
    }
  }

  /**
   * Walks the rules as {@link #decide} would, for this caller and tool, with the arguments and
   * the resource left unknown (not empty: {@code resource.startsWith("demo/")} must not hide a
   * tool the caller may use on {@code demo/...}). CEL's {@code &&} and {@code ||} absorb the error
   * an unknown variable raises when the other side decides, so a condition is definitely true,
   * definitely false, or depends on the call. The tool is offered at the first allow or approve
   * rule that is not definitely false; it is not offered when a deny rule that is definitely true
   * comes first (that rule would deny every call), or when no rule may allow it.
   */
  @Override
  public boolean offers(Caller caller, ToolDescriptor tool) {
    try {
      OfferVariables variables = new OfferVariables(caller, tool);
      for (Rule rule : rules) {
        if (!rule.tools().covers(tool.name())) {
          continue;
        }
        boolean grants = !(rule.decision() instanceof Decision.Deny);
        try {
          if (rule.when().test(variables)) {
            return grants;
          }
        } catch (ConditionError dependsOnTheCall) {
          if (grants) {
            return true;
          }
        }
      }
      return false;
    } catch (RuntimeException e) {
      log.error("Policy {} failed to tell whether it offers tool {}; offered, calls are still decided",
          origin, tool.name(), e);
      return true;
    }
  }

  /** The caller and the tool, known; {@code args} and {@code resource}, unknown until a call. */
  private static final class OfferVariables implements dev.cel.runtime.CelVariableResolver {
    private final Map<String, Object> caller;
    private final Map<String, Object> tool;

    OfferVariables(Caller caller, ToolDescriptor tool) {
      this.caller = PolicyVariables.caller(caller);
      this.tool = Map.of("name", tool.name(), "risk", tool.risk().name());
    }

    @Override
    public Optional<Object> find(String name) {
      return switch (name) {
        case PolicyVariables.CALLER -> Optional.of(caller);
        case PolicyVariables.TOOL -> Optional.of(tool);
        default -> Optional.empty();
      };
    }
  }

  @Override
  public String revision() {
    return revision;
  }

  /** The rule ids in order, for diagnostics. */
  public List<String> ruleIds() {
    return Arrays.stream(rules).map(Rule::id).toList();
  }

  @Override
  public String toString() {
    return "RulesPolicy[" + origin + ", " + rules.length + " rules, " + revision + "]";
  }
}
