package dev.authoraization.web.approver;

import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.approval.ciba.BindingMessages;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * What an approver is shown of one request: everything the decision depends on, as plain text
 * (the templates escape it; arguments are pretty-printed JSON, never interpreted).
 */
record RequestView(String id, String code, String tool, String resource, String requester, String requesterIssuer,
    String agent, String arguments, Map<String, String> preconditions, String fingerprint, String rule,
    int quorum, int approvals, Instant createdAt, Instant expiresAt, String timeLeft, boolean expired) {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  static RequestView of(ApprovalRequest r, Instant now) {
    Duration left = Duration.between(now, r.expiresAt());
    long approvals = r.votes().stream().filter(v -> v.verdict() == ApprovalRequest.Verdict.APPROVE).count();
    return new RequestView(r.id(), BindingMessages.code(r.fingerprint()), r.call().tool(), r.resource(),
        r.requester().subject(), r.requester().issuer(), r.requester().agent().orElse("none (direct call)"),
        JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r.call().arguments()),
        new TreeMap<>(r.preconditions()), r.fingerprint().hex(), r.ruleId(), r.requirement().quorum(),
        (int) approvals, r.createdAt(), r.expiresAt(), describe(left), left.isNegative() || left.isZero());
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
