package dev.authoraization.bench;

import dev.authoraization.call.Caller;
import dev.authoraization.call.Decision;
import dev.authoraization.call.ToolCall;
import dev.authoraization.credential.CredentialNeed;
import dev.authoraization.policy.PolicyInput;
import dev.authoraization.policy.rules.RulesPolicy;
import dev.authoraization.tool.Risk;
import dev.authoraization.tool.ToolDescriptor;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.databind.json.JsonMapper;

/**
 * Policy decisions per second (pipeline stage 3), for a realistic 20-rule policy whose matching
 * rule is the 19th, so a decision walks the list: 9 rules skipped on the tool name, 9 with a CEL
 * condition evaluated to false, then the match. The 1-rule policy is the same-run baseline.
 * Both decide the same call; the arguments are converted to CEL values on every decision, as in
 * production. Five warm-up iterations: the CEL interpreter takes several seconds of one core to
 * reach its compiled speed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class PolicyBenchmark {

  static final String ONE_RULE = """
      rules:
        - id: comment-on-issues
          tools: [comment_on_issue]
          when: '"developer" in caller.roles'
          effect: allow
      """;

  static final String TWENTY_RULES = """
      rules:
        - id: no-deletes
          tools: ["delete_*"]
          effect: deny
          reason: destructive_tool_forbidden
        - id: no-admin-tools
          tools: ["*_admin", "update_branch_protection"]
          effect: deny
        - id: suspended-users
          tools: ["*"]
          when: '"suspended" in caller.roles'
          effect: deny
          reason: caller_suspended
        - id: no-production-writes-by-agents
          tools: ["*"]
          when: 'tool.risk != "READ" && resource.startsWith("prod/") && caller.agent != ""'
          effect: deny
        - id: auditors-read
          tools: ["list_*", "get_*"]
          when: '"auditor" in caller.roles'
          effect: allow
        - id: release-needs-two
          tools: [create_release, publish_release]
          effect: approve
          approval: {approvers: [release-managers], quorum: 2, ttl: 1h}
        - id: merge-to-main-needs-approval
          tools: [merge_pull_request]
          when: 'args.base == "main"'
          effect: approve
          approval: {approvers: [approver]}
        - id: merge-feature
          tools: [merge_pull_request]
          when: '"developer" in caller.roles'
          effect: allow
        - id: huge-comments
          tools: [comment_on_issue]
          when: 'size(args.body) > 65536'
          effect: deny
          reason: comment_too_long
        - id: comments-on-locked-repos
          tools: [comment_on_issue]
          when: 'resource in ["demo/locked", "demo/archive", "legacy/monolith"]'
          effect: deny
        - id: bots-no-comment
          tools: [comment_on_issue]
          when: 'caller.subject.endsWith("[bot]")'
          effect: deny
        - id: labels-by-triage
          tools: [add_labels, remove_labels]
          when: '"triage" in caller.roles'
          effect: allow
        - id: workflows-need-approval
          tools: ["*_workflow", "*_workflow_run"]
          effect: approve
          approval: {approvers: [approver], ttl: 30m}
        - id: contractors-limited
          tools: ["*"]
          when: '"contractor" in caller.roles && !resource.startsWith("contractors/")'
          effect: deny
          reason: outside_contract
        - id: external-issuer
          tools: ["*"]
          when: 'caller.issuer != "https://idp.example"'
          effect: deny
          reason: untrusted_issuer
        - id: issue-number-sane
          tools: [comment_on_issue, get_issue]
          when: 'args.issue_number <= 0'
          effect: deny
          reason: invalid_issue
        - id: read-repositories
          tools: ["list_*", "get_*"]
          when: '"developer" in caller.roles || "approver" in caller.roles'
          effect: allow
        - id: maintainers-comment
          tools: [comment_on_issue]
          when: '"maintainer" in caller.roles'
          effect: allow
        - id: comment-on-issues
          tools: [comment_on_issue]
          when: '"developer" in caller.roles && resource.startsWith("demo/")'
          effect: allow
        - id: catch-all
          tools: ["*"]
          effect: deny
      """;

  private RulesPolicy oneRule;
  private RulesPolicy twentyRules;
  private PolicyInput input;

  @Setup
  public void setUp() {
    oneRule = RulesPolicy.parse("bench:one-rule", ONE_RULE);
    twentyRules = RulesPolicy.parse("bench:twenty-rules", TWENTY_RULES);
    JsonMapper json = JsonMapper.builder().build();
    ToolDescriptor tool = new ToolDescriptor("comment_on_issue", "Comment on an issue",
        json.readTree("{\"type\":\"object\"}"), Risk.WRITE,
        new CredentialNeed("github", Map.of("issues", "write")));
    Caller alice = new Caller("alice", "https://idp.example", Set.of("developer"),
        java.util.Optional.of("chat-agent"));
    ToolCall call = new ToolCall("comment_on_issue", json.readTree("""
        {"owner": "demo", "repo": "app", "issue_number": 42,
         "body": "Looks good to me; the failing test was flaky and passes on a re-run."}"""),
        alice, "bench-key");
    input = new PolicyInput(call, tool, "demo/app");
    expect(oneRule.decide(input), "comment-on-issues");
    expect(twentyRules.decide(input), "comment-on-issues");
    if (twentyRules.ruleIds().indexOf("comment-on-issues") != 18 || twentyRules.ruleIds().size() != 20) {
      throw new IllegalStateException("the 20-rule policy must match on its 19th rule");
    }
  }

  private static void expect(Decision decision, String rule) {
    if (!(decision instanceof Decision.Allow allow) || !allow.ruleId().equals(rule)) {
      throw new IllegalStateException("benchmark policy decides " + decision + ", expected allow by " + rule);
    }
  }

  @Benchmark
  public Decision decideOneRule() {
    return oneRule.decide(input);
  }

  @Benchmark
  public Decision decideTwentyRules() {
    return twentyRules.decide(input);
  }
}
