package dev.authoraization.web.approver;

import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.approval.VisibleText;
import dev.authoraization.approval.ciba.BindingMessages;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * What an approver is shown of one request: everything the decision depends on, as plain text
 * (the templates escape it; arguments are pretty-printed JSON, never interpreted). Every text
 * that came from a requester, an agent or a repository goes through {@link VisibleText}, so a
 * direction override or an invisible character shows as {@code [U+202E]} and {@code hidden}
 * puts a warning next to it.
 */
record RequestView(String id, String code, String tool, String resource, String requester, String requesterIssuer,
    String agent, String arguments, Map<String, String> preconditions, String fingerprint, String rule,
    int quorum, int approvals, Instant createdAt, Instant expiresAt, String timeLeft, boolean expired,
    boolean hidden) {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  static RequestView of(ApprovalRequest r, Instant now) {
    Duration left = Duration.between(now, r.expiresAt());
    long approvals = r.votes().stream().filter(v -> v.verdict() == ApprovalRequest.Verdict.APPROVE).count();
    String arguments = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r.call().arguments());
    List<String> shown = new ArrayList<>(List.of(r.call().tool(), r.resource(), r.requester().subject(),
        r.requester().issuer(), r.requester().agent().orElse(""), arguments, r.ruleId()));
    Map<String, String> preconditions = new TreeMap<>();
    r.preconditions().forEach((k, v) -> {
      preconditions.put(VisibleText.show(k), VisibleText.show(v));
      shown.add(k);
      shown.add(v);
    });
    return new RequestView(r.id(), BindingMessages.code(r.fingerprint()), VisibleText.show(r.call().tool()),
        VisibleText.show(r.resource()), VisibleText.show(r.requester().subject()),
        VisibleText.show(r.requester().issuer()),
        r.requester().agent().map(VisibleText::show).orElse("none (direct call)"), VisibleText.show(arguments),
        preconditions, r.fingerprint().hex(), VisibleText.show(r.ruleId()), r.requirement().quorum(),
        (int) approvals, r.createdAt(), r.expiresAt(), describe(left), left.isNegative() || left.isZero(),
        shown.stream().anyMatch(VisibleText::hidesSomething));
  }

  private static String describe(Duration left) {
    if (left.isNegative() || left.isZero()) {
      return "expired";
    }
    long minutes = left.toMinutes();
    long seconds = left.toSecondsPart();
    if (minutes >= 60) {
      return left.toHours() + " h " + left.toMinutesPart() + " min left";
    }
    return minutes > 0 ? minutes + " min " + seconds + " s left" : seconds + " s left";
  }
}
