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
 *
 * @param context what the tool read for the approver when approval was asked for (a pull
 *     request's title, author, branches, changed files)
 * @param askedWith the user's chat line that led the agent to this call, as stored with the request
 *     ({@link ApprovalRequest#ASKED_WITH}), or empty
 */
record RequestView(String id, String code, String tool, String resource, String requester, String requesterIssuer,
    String agent, String arguments, Map<String, String> preconditions, Map<String, String> context,
    String askedWith, String fingerprint, String rule,
    int quorum, int approvals, Instant createdAt, Instant expiresAt, String timeLeft, boolean expired,
    boolean hidden) {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  static RequestView of(ApprovalRequest r, Instant now) {
    return of(r, now, "");
  }

  /**
   * @param live the line read from the waiting conversation, for a request stored before the line
   *     was kept with it; the stored line wins
   */
  static RequestView of(ApprovalRequest r, Instant now, String live) {
    Map<String, String> facts = new TreeMap<>(r.context());
    String stored = facts.remove(ApprovalRequest.ASKED_WITH);
    String askedWith = stored == null ? live : stored;
    Duration left = Duration.between(now, r.expiresAt());
    long approvals = r.votes().stream().filter(v -> v.verdict() == ApprovalRequest.Verdict.APPROVE).count();
    String arguments = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r.call().arguments());
    List<String> shown = new ArrayList<>(List.of(r.call().tool(), r.resource(), r.requester().subject(),
        r.requester().issuer(), r.requester().agent().orElse(""), arguments, r.ruleId()));
    shown.add(askedWith);
    Map<String, String> preconditions = visible(r.preconditions(), shown);
    Map<String, String> context = visible(facts, shown);
    return new RequestView(r.id(), BindingMessages.code(r.fingerprint()), VisibleText.show(r.call().tool()),
        VisibleText.show(r.resource()), VisibleText.show(r.requester().subject()),
        VisibleText.show(r.requester().issuer()),
        r.requester().agent().map(VisibleText::show).orElse("none (direct call)"), VisibleText.show(arguments),
        preconditions, context, VisibleText.show(askedWith), r.fingerprint().hex(), VisibleText.show(r.ruleId()), r.requirement().quorum(),
        (int) approvals, r.createdAt(), r.expiresAt(), describe(left), left.isNegative() || left.isZero(),
        shown.stream().anyMatch(VisibleText::hidesSomething));
  }

  private static Map<String, String> visible(Map<String, String> facts, List<String> shown) {
    Map<String, String> visible = new TreeMap<>();
    facts.forEach((k, v) -> {
      visible.put(VisibleText.show(k), VisibleText.show(v));
      shown.add(k);
      shown.add(v);
    });
    return visible;
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
