package dev.authoraization.approval.notify;

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
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Approval requests built directly, as Approvals would store them; no database needed. */
final class Requests {

  static final Instant NOW = Instant.parse("2026-11-29T06:00:00Z");

  private Requests() {}

  /** A merge of pull request 12 in octo/demo by alice through the chat agent; {@code canary} hides in a free-text argument. */
  static ApprovalRequest merge(String canary) {
    return merge(canary, "main");
  }

  /** As above, with the (allow-listed, so shown) {@code base} argument set to {@code base}. */
  static ApprovalRequest merge(String canary, String base) {
    ObjectNode arguments = JsonMapper.builder().build().createObjectNode();
    arguments.put("owner", "octo");
    arguments.put("repo", "demo");
    arguments.put("pull_number", 12);
    arguments.put("merge_method", "squash");
    arguments.put("base", base);
    arguments.put("commit_message", "Ship it " + canary);
    arguments.putObject("extra").put("note", canary);
    Caller alice = new Caller("alice", "http://localhost:8080", Set.of("developer"), Optional.of("chat-agent"));
    ToolCall call = new ToolCall("github.merge_pull_request", arguments, alice, "key-1");
    Map<String, String> preconditions = Map.of("head_sha", "0123456789abcdef0123456789abcdef01234567");
    return new ApprovalRequest("4f1c2a9e-0000-4000-8000-000000000012", "decision-1", call, "octo/demo#12",
        Fingerprint.of(call.tool(), arguments, preconditions), preconditions, Map.of(), "merge-needs-approval",
        new ApprovalRequirement(Set.of("approver"), 1, Duration.ofMinutes(15), true), "rev-1",
        ApprovalState.PENDING, NOW, NOW.plus(Duration.ofMinutes(15)), "", Optional.empty(), List.of());
  }
}
