package dev.authoraization.web.chat;

import dev.authoraization.audit.AuditLog;
import dev.authoraization.audit.AuditQuery;
import dev.authoraization.audit.AuditRecord;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The audit page, for approvers and admins only (the security chain checks the role): the chain's
 * verification status, the records newest first with filters (run by the store, over the whole
 * log), and one record in full. Everything
 * shown is stored text, escaped by the templates; arguments are stored masked.
 */
@Controller
class AuditPageController {

  private static final int SHOWN = 100;
  private static final List<String> EFFECTS = List.of("allow", "deny", "approve");
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
      .withZone(ZoneOffset.UTC);

  private final AuditLog audit;

  AuditPageController(AuditLog audit) {
    this.audit = audit;
  }

  /** One record as a table row. */
  public record Row(long seq, String at, String event, String tool, String caller, String effect, String outcome,
      String approvalId) {

    static Row of(AuditRecord r) {
      return new Row(r.seq(), TIME.format(r.at()), r.entry().event(), r.entry().tool(), r.entry().subject(),
          r.entry().effect(), r.entry().outcome(), r.entry().approvalId());
    }
  }

  /**
   * The filters as the form sent them, echoed back into the form and into the "older" link.
   * {@code from} and {@code to} are {@code datetime-local} values, read as UTC like the table.
   */
  public record Filters(String tool, String caller, String decision, String outcome, String from, String to) {}

  /**
   * Newest first, {@value #SHOWN} a page. Every filter goes into the store's query as a bound
   * parameter, so the oldest record is as findable as the newest; {@code before} pages on by
   * sequence number (keyset), stable while new records arrive.
   */
  @GetMapping("/audit")
  String list(@RequestParam(defaultValue = "") String tool, @RequestParam(defaultValue = "") String caller,
      @RequestParam(defaultValue = "") String decision, @RequestParam(defaultValue = "") String outcome,
      @RequestParam(defaultValue = "") String from, @RequestParam(defaultValue = "") String to,
      @RequestParam(required = false) @Nullable Long before, @AuthenticationPrincipal ChatUser user, Model model) {
    Filters filters = new Filters(tool.strip(), caller.strip(), decision.strip(), outcome.strip(), from.strip(),
        to.strip());
    List<String> problems = new ArrayList<>();
    // PostgreSQL refuses a NUL in text; no stored value holds a control character anyway
    Map.of("Tool", filters.tool(), "Caller", filters.caller(), "Outcome", filters.outcome()).forEach((label, value) -> {
      if (value.chars().anyMatch(Character::isISOControl)) {
        problems.add(label + " must not contain control characters.");
      }
    });
    AuditQuery query = AuditQuery.any();
    if (!filters.tool().isEmpty()) {
      query = query.tool(filters.tool());
    }
    if (!filters.caller().isEmpty()) {
      query = query.subject(filters.caller());
    }
    if (!filters.decision().isEmpty()) {
      if (EFFECTS.contains(filters.decision())) {
        query = query.effect(filters.decision());
      } else {
        problems.add("Decision must be one of " + String.join(", ", EFFECTS) + ".");
      }
    }
    if (!filters.outcome().isEmpty()) {
      query = query.outcome(filters.outcome());
    }
    Optional<Instant> since = instant("From", filters.from(), problems);
    Optional<Instant> until = instant("To", filters.to(), problems);
    if (since.isPresent()) {
      query = query.from(since.get());
    }
    if (until.isPresent()) {
      query = query.until(until.get());
    }
    if (before != null) {
      query = query.beforeSeq(before);
    }
    List<AuditRecord> found = problems.isEmpty() ? audit.find(query, SHOWN + 1) : List.of();
    List<Row> rows = found.stream().limit(SHOWN).map(Row::of).toList();
    model.addAttribute("verification", audit.verify());
    model.addAttribute("rows", rows);
    model.addAttribute("filters", filters);
    model.addAttribute("effects", EFFECTS);
    model.addAttribute("problems", problems);
    model.addAttribute("paged", before != null);
    model.addAttribute("older", found.size() > SHOWN ? rows.getLast().seq() : null);
    model.addAttribute("user", user.caller().subject());
    model.addAttribute("auditor", true);
    return "chat/audit";
  }

  private static Optional<Instant> instant(String label, String value, List<String> problems) {
    if (value.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(LocalDateTime.parse(value).toInstant(ZoneOffset.UTC));
    } catch (DateTimeParseException e) {
      problems.add(label + " must be a date and time in UTC, like 2026-12-01T09:30.");
      return Optional.empty();
    }
  }

  @GetMapping("/audit/records/{seq}")
  String record(@PathVariable long seq, @AuthenticationPrincipal ChatUser user, Model model) {
    AuditRecord record = audit.record(seq).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND,
        "The audit log has no record " + seq + "."));
    model.addAttribute("record", record);
    model.addAttribute("entry", JSON.writerWithDefaultPrettyPrinter().writeValueAsString(record.entry()));
    model.addAttribute("user", user.caller().subject());
    model.addAttribute("auditor", true);
    return "chat/record";
  }
}
