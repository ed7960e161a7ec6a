package dev.authoraization.policy.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A policy that cannot be used must stop start-up and say where it is wrong. */
class PolicyLoadTests {

  @TempDir
  Path dir;

  private Path write(String yaml) throws Exception {
    Path file = dir.resolve("policy.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void loadWhenYamlDoesNotParseThenErrorNamesFileAndLine() throws Exception {
    Path file = write("""
        rules:
          - id: a
            tools: [list_issues
            effect: allow
        """);

    assertThatThrownBy(() -> RulesPolicy.load(file))
        .isInstanceOf(PolicyLoadException.class)
        .hasMessageStartingWith("Policy file " + file + ", line ")
        .hasMessageContaining("is not valid YAML");
  }

  @Test
  void loadWhenEffectUnknownThenErrorNamesFileLineAndRule() throws Exception {
    Path file = write("""
        # comment
        rules:
          - id: reads
            tools: [list_issues]
            effect: permit
        """);

    assertThatThrownBy(() -> RulesPolicy.load(file))
        .isInstanceOf(PolicyLoadException.class)
        .hasMessage("Policy file " + file + ", line 5, rule 'reads': "
            + "effect must be allow, deny or approve, not 'permit'");
  }

  @Test
  void loadWhenRuleIdRepeatsThenErrorNamesSecondOccurrence() throws Exception {
    Path file = write("""
        rules:
          - id: reads
            tools: [list_issues]
            effect: allow
          - id: reads
            tools: [get_issue]
            effect: allow
        """);

    assertThatThrownBy(() -> RulesPolicy.load(file))
        .hasMessage("Policy file " + file + ", line 5, rule 'reads': "
            + "duplicate rule id, first used on line 2");
  }

  @Test
  void loadWhenConditionIsNotBooleanThenErrorNamesFileLineAndRule() throws Exception {
    Path file = write("""
        rules:
          - id: count
            tools: [list_issues]
            when: 'size(caller.roles) + 1'
            effect: allow
        """);

    assertThatThrownBy(() -> RulesPolicy.load(file))
        .hasMessageStartingWith("Policy file " + file + ", line 4, rule 'count': "
            + "condition must be boolean, but it is int");
  }

  @Test
  void loadWhenConditionUsesUnknownVariableThenErrorNamesFileLineAndRule() throws Exception {
    Path file = write("""
        rules:
          - id: merge-needs-approval
            tools: [merge_pull_request]
            when: '"approver" in user.roles'
            effect: allow
        """);

    assertThatThrownBy(() -> RulesPolicy.load(file))
        .hasMessageStartingWith("Policy file " + file + ", line 4, rule 'merge-needs-approval': "
            + "condition does not compile: ")
        .hasMessageContaining("undeclared reference to 'user'");
  }

  @Test
  void loadWhenConditionUsesAFieldTheCallerOrToolDoesNotHaveThenErrorNamesTheFieldsThereAre() throws Exception {
    Path file = write("""
        rules:
          - id: developers-read
            tools: [list_issues]
            when: '"developer" in caller.rolez'
            effect: allow
        """);

    assertThatThrownBy(() -> RulesPolicy.load(file))
        .hasMessageStartingWith("Policy file " + file + ", line 4, rule 'developers-read': "
            + "condition uses caller.rolez, which does not exist (caller has [agent, issuer, roles, subject])");
    Path tool = write("""
        rules:
          - id: reads
            tools: ['*']
            when: 'has(tool.kind) && tool.risk == "READ"'
            effect: allow
        """);
    assertThatThrownBy(() -> RulesPolicy.load(tool)).hasMessageContaining("condition uses tool.kind");
  }

  @Test
  void everyFieldTheCallerAndToolHaveIsAcceptedAndArgumentsStayFree() throws Exception {
    Path file = write("""
        rules:
          - id: all-fields
            tools: ['*']
            when: >-
              caller.subject != "" && caller.issuer != "" && "developer" in caller.roles && caller.agent == ""
              && tool.name != "" && tool.risk == "READ" && args.anything.goes == 1
            effect: allow
        """);

    assertThat(RulesPolicy.load(file)).isNotNull();
  }

  /** The fields the policy format documents (PolicyVariables, default-policy.yaml), checked and given alike. */
  @Test
  void theCheckedFieldsAreTheOnesAConditionIsGiven() {
    Map<String, Set<String>> documented = Map.of(
        "caller", Set.of("subject", "issuer", "roles", "agent"), "tool", Set.of("name", "risk"));
    PolicyVariables variables = new PolicyVariables(Calls.call("list_issues", Calls.caller("alice", "developer")));

    assertThat(PolicyVariables.FIELDS).isEqualTo(documented);
    documented.forEach((name, fields) -> assertThat(variables.find(name)).as(name).hasValueSatisfying(value ->
        assertThat(((Map<?, ?>) value).keySet()).isEqualTo(fields)));
  }

  @Test
  void loadWhenConditionHasSyntaxErrorThenErrorSaysDoesNotCompile() throws Exception {
    Path file = write("""
        rules:
          - id: broken
            tools: [list_issues]
            when: 'resource.startsWith("demo/"'
            effect: allow
        """);

    assertThatThrownBy(() -> RulesPolicy.load(file))
        .hasMessageStartingWith("Policy file " + file + ", line 4, rule 'broken': "
            + "condition does not compile: ");
  }

  @Test
  void loadWhenRuleHasUnknownKeyThenErrorNamesTheKey() throws Exception {
    Path file = write("""
        rules:
          - id: reads
            tools: [list_issues]
            condition: 'true'
            effect: allow
        """);

    assertThatThrownBy(() -> RulesPolicy.load(file))
        .hasMessageStartingWith("Policy file " + file + ", line 4, rule 'reads': "
            + "unknown key 'condition' in a rule");
  }

  @Test
  void loadWhenTopLevelHasUnknownKeyThenErrorNamesTheKey() throws Exception {
    Path file = write("""
        rules: []
        default: allow
        """);

    assertThatThrownBy(() -> RulesPolicy.load(file))
        .hasMessageStartingWith("Policy file " + file + ", line 2: unknown key 'default'");
  }

  @Test
  void loadWhenApproveRuleHasNoApproversThenError() throws Exception {
    Path noBlock = write("""
        rules:
          - id: merges
            tools: [merge_pull_request]
            effect: approve
        """);
    assertThatThrownBy(() -> RulesPolicy.load(noBlock))
        .hasMessageStartingWith("Policy file " + noBlock + ", line 2, rule 'merges': "
            + "an approve rule needs 'approval:'");

    Path emptyList = write("""
        rules:
          - id: merges
            tools: [merge_pull_request]
            effect: approve
            approval:
              approvers: []
        """);
    assertThatThrownBy(() -> RulesPolicy.load(emptyList))
        .hasMessageStartingWith("Policy file " + emptyList + ", line 6, rule 'merges': "
            + "'approvers' must be a non-empty list");
  }

  @Test
  void loadWhenApprovalValuesInvalidThenErrorNamesTheLine() throws Exception {
    Path badTtl = write("""
        rules:
          - id: merges
            tools: [merge_pull_request]
            effect: approve
            approval:
              approvers: [approver]
              ttl: 15 minutes
        """);
    assertThatThrownBy(() -> RulesPolicy.load(badTtl))
        .hasMessageStartingWith("Policy file " + badTtl + ", line 7, rule 'merges': ttl must be");

    Path badQuorum = write("""
        rules:
          - id: merges
            tools: [merge_pull_request]
            effect: approve
            approval:
              approvers: [approver]
              quorum: 0
        """);
    assertThatThrownBy(() -> RulesPolicy.load(badQuorum))
        .hasMessageStartingWith("Policy file " + badQuorum + ", line 7, rule 'merges': quorum must");

    Path badSeparation = write("""
        rules:
          - id: merges
            tools: [merge_pull_request]
            effect: approve
            approval:
              approvers: [approver]
              separation-of-duties: maybe
        """);
    assertThatThrownBy(() -> RulesPolicy.load(badSeparation))
        .hasMessageContaining("line 7, rule 'merges': separation-of-duties must be true or false");
  }

  @Test
  void loadWhenApprovalOnAllowRuleThenError() throws Exception {
    Path file = write("""
        rules:
          - id: reads
            tools: [list_issues]
            effect: allow
            approval: {approvers: [approver]}
        """);
    assertThatThrownBy(() -> RulesPolicy.load(file))
        .hasMessageContaining("line 5, rule 'reads': 'approval' is only for approve rules");
  }

  @Test
  void loadWhenRuleIdOrToolsMalformedThenErrorNamesTheRule() throws Exception {
    Path badId = write("""
        rules:
          - id: Reads_All
            tools: [list_issues]
            effect: allow
        """);
    assertThatThrownBy(() -> RulesPolicy.load(badId))
        .hasMessageContaining("line 2, rule 'Reads_All': rule id must match [a-z0-9-]+");

    Path noId = write("""
        rules:
          - id: first
            tools: [list_issues]
            effect: allow
          - tools: [get_issue]
            effect: allow
        """);
    assertThatThrownBy(() -> RulesPolicy.load(noId))
        .hasMessageContaining("line 5, rule #2: a rule needs 'id'");

    Path badTool = write("""
        rules:
          - id: reads
            tools: [List_Issues]
            effect: allow
        """);
    assertThatThrownBy(() -> RulesPolicy.load(badTool))
        .hasMessageContaining("line 3, rule 'reads': tool pattern 'List_Issues' may only use");

    Path toolsNotList = write("""
        rules:
          - id: reads
            tools: list_issues
            effect: allow
        """);
    assertThatThrownBy(() -> RulesPolicy.load(toolsNotList))
        .hasMessageContaining("line 3, rule 'reads': 'tools' must be a non-empty list");
  }

  @Test
  void loadWhenFileEmptyOrWithoutRulesThenError() throws Exception {
    Path empty = write("# nothing here\n");
    assertThatThrownBy(() -> RulesPolicy.load(empty))
        .hasMessageStartingWith("Policy file " + empty + ", line 1: is empty");

    Path missing = dir.resolve("absent.yaml");
    assertThatThrownBy(() -> RulesPolicy.load(missing))
        .isInstanceOf(PolicyLoadException.class)
        .hasMessageStartingWith("Policy file " + missing + ": cannot be read");
  }

  @Test
  void loadWhenFileIsNotUtf8ThenError() throws Exception {
    Path file = dir.resolve("latin1.yaml");
    Files.write(file, "rules: [] # caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));

    assertThatThrownBy(() -> RulesPolicy.load(file))
        .hasMessage("Policy file " + file + ": is not UTF-8 text.");
  }

  @Test
  void revisionWhenFileChangesThenChanges() throws Exception {
    Path file = write("""
        rules:
          - id: reads
            tools: [list_issues]
            effect: allow
        """);
    String before = RulesPolicy.load(file).revision();
    String again = RulesPolicy.load(file).revision();
    Files.writeString(file, Files.readString(file).replace("allow", "deny"));
    String after = RulesPolicy.load(file).revision();

    assertThat(again).isEqualTo(before);
    assertThat(after).isNotEqualTo(before).matches("sha256:[0-9a-f]{16}");
  }

  @Test
  void revisionIsPrefixOfSha256OfTheFileBytes() throws Exception {
    Path file = write("rules: [] # caf\u00e9\n");
    byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));

    assertThat(RulesPolicy.load(file).revision())
        .isEqualTo("sha256:" + java.util.HexFormat.of().formatHex(digest).substring(0, 16));
  }
}
