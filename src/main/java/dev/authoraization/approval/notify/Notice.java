package dev.authoraization.approval.notify;

import dev.authoraization.approval.ApprovalRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * What every notifier may say about one request, and nothing more: it is built from an allow-list
 * of fields, so a new field of {@link ApprovalRequest} or an unexpected tool argument never reaches
 * a mail box or a chat room by accident. It carries no credential, token or approval secret; the
 * link only opens the approver page, where the approver still signs in and confirms.
 *
 * @param requester the requester's subject at its issuer
 * @param agent the agent (client id) acting for the requester, when one does
 * @param arguments the allow-listed scalar arguments, shortened, in the tool's order
 * @param shortCode {@code AZ-} and the fingerprint's first 8 hex digits, upper case, to compare by eye
 * @param timeLeft until the request expires, as of when the notice was built
 * @param approverUrl the approver page of this request
 */
public record Notice(
    String approvalId,
    String tool,
    String resource,
    String requester,
    Optional<String> agent,
    Set<String> approverRoles,
    Map<String, String> arguments,
    String fingerprint,
    String shortCode,
    Instant expiresAt,
    Duration timeLeft,
    String approverUrl) {

  private static final int MAX_VALUE = 80;

  public Notice {
    approverRoles = Set.copyOf(approverRoles);
    arguments = Map.copyOf(arguments);
  }

  /** The summary of a request, taking only the named scalar arguments. */
  public static Notice of(ApprovalRequest request, String approverUrlTemplate, List<String> summaryArguments,
      Instant now) {
    Map<String, String> shown = new LinkedHashMap<>();
    JsonNode arguments = request.call().arguments();
    for (String name : summaryArguments) {
      JsonNode value = arguments.get(name);
      if (value != null && (value.isString() || value.isNumber() || value.isBoolean())) {
        shown.put(name, shorten(value.asString()));
      }
    }
    Duration left = Duration.between(now, request.expiresAt());
    String fingerprint = request.fingerprint().hex();
    return new Notice(request.id(), request.call().tool(), request.resource(), request.requester().subject(),
        request.requester().agent(), request.requirement().approverRoles(), shown, fingerprint,
        shortCode(fingerprint), request.expiresAt(), left.isNegative() ? Duration.ZERO : left,
        approverUrlTemplate.replace("{id}", request.id()));
  }

  /** {@code AZ-} and the first 8 hex digits of the fingerprint in upper case. */
  public static String shortCode(String fingerprint) {
    return "AZ-" + fingerprint.substring(0, 8).toUpperCase(java.util.Locale.ROOT);
  }

  /** One line, for subjects, titles and chat previews. */
  public String title() {
    return "Approval needed: " + tool + " on " + resource + " (" + shortCode + ")";
  }

  /** The arguments in their allow-listed order as {@code name=value}, sorted for a stable text. */
  public String argumentLine() {
    return String.join(", ", new TreeSet<>(arguments.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue()).toList()));
  }

  /** The plain-text message every notifier starts from. */
  public String text() {
    StringBuilder text = new StringBuilder();
    text.append(requester).append(agent.map(a -> " (through agent " + a + ")").orElse(""))
        .append(" asks to run ").append(tool).append(" on ").append(resource).append(".\n");
    if (!arguments.isEmpty()) {
      text.append("Arguments: ").append(argumentLine()).append('\n');
    }
    text.append("Code: ").append(shortCode).append(" (the approver page shows the same code)\n");
    text.append("Approver roles: ").append(String.join(", ", new TreeSet<>(approverRoles))).append('\n');
    text.append("Expires in ").append(humanized(timeLeft)).append(" (at ").append(expiresAt).append(")\n");
    text.append("Review and decide: ").append(approverUrl).append('\n');
    return text.toString();
  }

  /** "1 h 5 min", "14 min", "40 s". */
  public static String humanized(Duration duration) {
    long hours = duration.toHours();
    int minutes = duration.toMinutesPart();
    if (hours > 0) {
      return hours + " h" + (minutes > 0 ? " " + minutes + " min" : "");
    }
    if (minutes > 0) {
      return minutes + " min";
    }
    return duration.toSecondsPart() + " s";
  }

  private static String shorten(String value) {
    String oneLine = value.replaceAll("\\p{Cntrl}", " ");
    return oneLine.length() <= MAX_VALUE ? oneLine : oneLine.substring(0, MAX_VALUE - 1) + "…";
  }
}
