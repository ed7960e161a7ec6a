package dev.authoraization.web.chat;

import dev.authoraization.agent.Conversation;
import dev.authoraization.agent.Conversation.StoredMessage;
import dev.authoraization.agent.Conversation.StoredResponse;
import dev.authoraization.agent.Conversation.ToolCallReport;
import dev.authoraization.agent.ToolEnvelope;
import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.approval.ciba.BindingMessages;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the chat pages show, as plain values: every string is model or forge text and is only
 * ever rendered with {@code th:text} (escaped), never as markup.
 */
public final class ChatViews {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private ChatViews() {}

  /** A line of the conversation. */
  public record Line(String role, String text) {}

  /** One tool call as a card: tool, arguments, the engine's decision and how long it took. */
  public record Card(String tool, String arguments, String decision, String tone, long durationMs, String approvalId) {

    static Card of(ToolCallReport report) {
      return new Card(report.tool(), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report.arguments()),
          report.decision(), tone(report.decision()), report.durationMs(), report.approvalId());
    }

    private static String tone(String decision) {
      return switch (decision) {
        case "allowed", "executed" -> "ok";
        case "pending" -> "wait";
        default -> "bad";
      };
    }
  }

  /** A list result as a table: issues (number, title, labels, state) or pull requests (number, title, state, checks, branches). */
  public record Table(String kind, String caption, List<Row> rows, boolean truncated) {}

  /**
   * One row; {@code tags} are an issue's labels or a pull request's draft flag, {@code checks} a
   * pull request's checks ({@link Checks#NONE} for issues).
   */
  public record Row(long number, String title, String state, List<String> tags, String author, String detail,
      Checks checks) {}

  /**
   * A pull request's checks as shown: a symbol and a word (never colour alone), a tone for the
   * colour, and a label for screen readers that says the whole of it.
   */
  public record Checks(String tone, String symbol, String text, String label) {

    static final Checks NONE = new Checks("none", "–", "none", "No checks reported");

    static Checks of(JsonNode checks) {
      String summary = checks.path("summary").asString("");
      String detail = summary.isEmpty() ? "" : ": " + summary;
      return switch (checks.path("state").asString("")) {
        case "success" -> new Checks("ok", "✓", "passing", "Checks passing" + detail);
        case "failure", "error" -> new Checks("bad", "✗", "failing", "Checks failing" + detail);
        case "pending" -> new Checks("wait", "●", "pending", "Checks pending" + detail);
        case "none", "" -> NONE;
        default -> new Checks("none", "?", "unknown", "Checks unknown" + detail);
      };
    }
  }

  /**
   * The card of a call waiting for a human.
   *
   * @param reason a deny's reason as the approver gave it (untrusted text, hiding characters as
   *     codes), why the engine withdrew the request (its CIBA provider unavailable), or empty
   */
  public record ApprovalCard(String id, String tool, String summary, String requester, String code, Instant expiresAt,
      String state, boolean open, String approverLink, String reason) {

    static ApprovalCard of(ApprovalRequest request) {
      String summary = request.resource().isBlank() ? request.call().tool()
          : request.call().tool() + " on " + request.resource();
      return new ApprovalCard(request.id(), request.call().tool(), summary, request.requester().subject(),
          BindingMessages.code(request.fingerprint()), request.expiresAt(), request.state().name().toLowerCase(),
          !request.state().isFinal(), "/approvals/" + request.id(),
          shown(request) ? dev.authoraization.approval.VisibleText.show(request.reason()) : "");
    }

    /** A deny's reason, or why the engine withdrew the request (not the requester's own cancel). */
    private static boolean shown(ApprovalRequest request) {
      return switch (request.state()) {
        case DENIED -> true;
        case CANCELLED -> !request.reason().equals("cancelled_by_requester");
        default -> false;
      };
    }

    /**
     * The QR code of the approver link ({@link ApproverQrController}); a plain path, as the card
     * is also rendered outside a request, where Thymeleaf cannot build context-relative links.
     */
    public String qrImage() {
      return "/chat/approvals/" + id + "/qr.png";
    }
  }

  static List<Line> lines(Conversation conversation) {
    return conversation.messages().stream()
        .filter(m -> m.role().equals("user") || (m.role().equals("assistant") && !m.text().isBlank()))
        .map(m -> new Line(m.role(), m.text())).toList();
  }

  static List<Card> cards(List<ToolCallReport> reports) {
    return reports.stream().map(Card::of).toList();
  }

  /** Tables for the list results among the tool messages from index {@code from} on. */
  static List<Table> tables(List<StoredMessage> messages, int from) {
    List<Table> tables = new ArrayList<>();
    for (StoredMessage message : messages.subList(Math.min(from, messages.size()), messages.size())) {
      for (StoredResponse response : message.responses()) {
        ToolEnvelope.open(response.data()).filter(ToolEnvelope.Opened::data)
            .flatMap(opened -> table(opened)).ifPresent(tables::add);
      }
    }
    return tables;
  }

  private static Optional<Table> table(ToolEnvelope.Opened opened) {
    JsonNode result;
    try {
      result = JSON.readTree(opened.body());
    } catch (JacksonException e) {
      return Optional.empty(); // truncated or not JSON: the reply text says what is there
    }
    List<Row> rows = new ArrayList<>();
    if (result.path("issues").isArray()) {
      for (JsonNode issue : result.path("issues")) {
        List<String> labels = new ArrayList<>();
        issue.path("labels").forEach(l -> labels.add(l.isString() ? l.asString() : l.path("name").asString("")));
        rows.add(new Row(issue.path("number").asLong(), issue.path("title").asString(""),
            issue.path("state").asString(""), labels, issue.path("author").asString(""), "", Checks.NONE));
      }
      return Optional.of(new Table("issues", "Issues", rows, result.path("truncated").asBoolean(false)));
    }
    if (result.path("pull_requests").isArray()) {
      for (JsonNode pull : result.path("pull_requests")) {
        rows.add(new Row(pull.path("number").asLong(), pull.path("title").asString(""),
            pull.path("state").asString(""), pull.path("draft").asBoolean(false) ? List.of("draft") : List.of(),
            pull.path("author").asString(""),
            pull.path("head_ref").asString("") + " → " + pull.path("base_ref").asString(""),
            Checks.of(pull.path("checks"))));
      }
      return Optional.of(new Table("pulls", "Pull requests", rows, result.path("truncated").asBoolean(false)));
    }
    return Optional.empty();
  }
}
