package dev.authoraization.web.approver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.approval.ApprovalState;
import dev.authoraization.approval.ciba.BindingMessages;
import dev.authoraization.call.ApprovalRequirement;
import dev.authoraization.call.Caller;
import dev.authoraization.call.Fingerprint;
import dev.authoraization.call.ToolCall;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** What the approver page shows of a request whose text was written to mislead a human. */
class RequestViewTests {

  static final Instant NOW = Instant.parse("2026-12-02T04:00:00Z");

  static ApprovalRequest merge(String repo, String title, String agent, Map<String, String> preconditions) {
    ObjectNode arguments = JsonMapper.builder().build().createObjectNode();
    arguments.put("owner", "demo").put("repo", repo).put("pull_number", 12).put("commit_title", title);
    Caller alice = new Caller("alice", "https://issuer.test", Set.of("developer"), Optional.of(agent));
    ToolCall call = new ToolCall("merge_pull_request", arguments, alice, "key-1");
    return new ApprovalRequest("ap-1", "d-1", call, "demo/" + repo, Fingerprint.of(call.tool(), arguments,
        preconditions), preconditions, Map.of(), "merge-needs-approval", new ApprovalRequirement(Set.of("approver"), 1,
        Duration.ofMinutes(15), true), "rev-1", ApprovalState.PENDING, NOW, NOW.plus(Duration.ofMinutes(15)), "",
        Optional.empty(), List.of());
  }

  @Test
  void aResourceWithADirectionOverrideIsShownWithTheOverrideAsACodeAndAWarning() {
    RequestView view = RequestView.of(merge("\u202Eppabew", "Fix typo", "chat", Map.of()), NOW);

    assertThat(view.resource()).isEqualTo("demo/[U+202E]ppabew");
    assertThat(view.arguments()).contains("\"repo\" : \"[U+202E]ppabew\"");
    assertThat(view.hidden()).isTrue();
  }

  @Test
  void invisibleCharactersInArgumentsAgentAndPreconditionsAreShownAsCodes() {
    RequestView view = RequestView.of(merge("webapp", "Fix\u200B typo\u2066 merge all\u2069", "chat\u200Dagent",
        Map.of("expected_head_sha", "abc\uFEFF")), NOW);

    assertThat(view.arguments()).contains("Fix[U+200B] typo[U+2066] merge all[U+2069]");
    assertThat(view.agent()).isEqualTo("chat[U+200D]agent");
    assertThat(view.preconditions()).containsEntry("expected_head_sha", "abc[U+FEFF]");
    assertThat(view.resource()).isEqualTo("demo/webapp");
    assertThat(view.hidden()).isTrue();
  }

  @Test
  void anOrdinaryRequestIsShownAsItIsWithoutAWarning() {
    RequestView view = RequestView.of(merge("webapp", "Fix the café menu 👩‍💻", "chat", Map.of("head", "abc")), NOW);

    assertThat(view.resource()).isEqualTo("demo/webapp");
    assertThat(view.arguments()).contains("Fix the café menu 👩‍💻");
    assertThat(view.hidden()).isFalse();
  }

  @Test
  void markupStaysTextForTheTemplateToEscape() {
    RequestView view = RequestView.of(merge("webapp", "<script>alert(1)</script>", "chat", Map.of()), NOW);

    assertThat(view.arguments()).contains("<script>alert(1)</script>");
    assertThat(view.hidden()).isFalse();
  }

  @Test
  void theCibaSummaryOnTheApproversDeviceShowsTheOverrideAsACodeToo() {
    String summary = BindingMessages.summary(merge("\u202Eppabew", "t", "chat", Map.of()));

    assertThat(summary).isEqualTo("merge_pull_request on demo/[U+202E]ppabew");
  }

  static ApprovalRequest withContext(Map<String, String> context) {
    ApprovalRequest r = merge("webapp", "Fix typo", "chat", Map.of());
    return new ApprovalRequest(r.id(), r.decisionId(), r.call(), r.resource(), r.fingerprint(), r.preconditions(),
        context, r.ruleId(), r.requirement(), r.policyRevision(), r.state(), r.createdAt(), r.expiresAt(), r.reason(),
        r.result(), r.votes());
  }

  @Test
  void theStoredConversationLineIsShownAndWinsOverTheLiveOne() {
    RequestView view = RequestView.of(withContext(Map.of(ApprovalRequest.ASKED_WITH, "please merge PR 12",
        "title", "Fix typo")), NOW, "a later line of the same conversation");

    assertThat(view.askedWith()).isEqualTo("please merge PR 12");
    assertThat(view.context()).as("not shown twice").containsOnlyKeys("title");
  }

  @Test
  void withoutAStoredLineTheLiveOneIsShown() {
    assertThat(RequestView.of(withContext(Map.of()), NOW, "merge it").askedWith()).isEqualTo("merge it");
  }

  @Test
  void aStoredLineWithHidingCharactersIsShownWithCodesAndAWarning() {
    RequestView view = RequestView.of(withContext(Map.of(ApprovalRequest.ASKED_WITH, "merge\u202E 21 RP")), NOW, "");

    assertThat(view.askedWith()).isEqualTo("merge[U+202E] 21 RP");
    assertThat(view.hidden()).isTrue();
  }
}
