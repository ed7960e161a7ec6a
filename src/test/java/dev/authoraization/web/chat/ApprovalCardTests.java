package dev.authoraization.web.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.approval.ApprovalState;
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

/** The chat's approval card tells the user why a call was denied (as the approver wrote it) or withdrawn. */
class ApprovalCardTests {

  static ApprovalRequest request(ApprovalState state, String reason) {
    var arguments = JsonMapper.builder().build().createObjectNode().put("repo", "demo/webapp");
    ToolCall call = new ToolCall("merge_change", arguments,
        new Caller("alice", "https://issuer.test", Set.of("developer"), Optional.of("chat")), "key-1");
    Instant now = Instant.parse("2026-12-02T06:00:00Z");
    return new ApprovalRequest("ap-1", "d-1", call, "demo/webapp", Fingerprint.of(call.tool(), arguments, Map.of()),
        Map.of(), Map.of(), "merge", new ApprovalRequirement(Set.of("approver"), 1, Duration.ofMinutes(15), true),
        "rev-1", state, now, now.plusSeconds(900), reason, Optional.empty(), List.of());
  }

  @Test
  void aDeniedCardShowsTheApproversReasonWithHidingCharactersAsCodes() {
    ChatViews.ApprovalCard card = ChatViews.ApprovalCard.of(request(ApprovalState.DENIED, "not now\u202E, ask J\u00f6rg"));

    assertThat(card.reason()).isEqualTo("not now[U+202E], ask J\u00f6rg");
  }

  @Test
  void aCardWithdrawnByTheEngineSaysWhyButTheRequestersOwnCancelShowsNoReason() {
    String why = "dependency_unavailable: CIBA provider unavailable: HTTP 503 from keycloak.test; retry later.";

    assertThat(ChatViews.ApprovalCard.of(request(ApprovalState.CANCELLED, why)).reason()).isEqualTo(why);
    assertThat(ChatViews.ApprovalCard.of(request(ApprovalState.CANCELLED, "cancelled_by_requester")).reason())
        .isEmpty();
  }

  @Test
  void aPendingOrFailedCardShowsNoReason() {
    assertThat(ChatViews.ApprovalCard.of(request(ApprovalState.PENDING, "")).reason()).isEmpty();
    assertThat(ChatViews.ApprovalCard.of(request(ApprovalState.FAILED, "provider_failed")).reason()).isEmpty();
  }
}
