package dev.authoraization.web.chat;

import dev.authoraization.audit.AuditLog;
import dev.authoraization.audit.AuditQuery;
import dev.authoraization.audit.AuditRecord;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
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
 * verification status, the newest records with filters, and one record in full. Everything
 * shown is stored text, escaped by the templates; arguments are stored masked.
 */
@Controller
class AuditPageController {

  private static final int SHOWN = 100;
  /** How far back the outcome filter and the single-record view look. */
  private static final int WINDOW = 2_000;
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

  @GetMapping("/audit")
  String list(@RequestParam(defaultValue = "") String tool, @RequestParam(defaultValue = "") String outcome,
      @RequestParam(defaultValue = "") String caller, @AuthenticationPrincipal ChatUser user,
      Model model) {
    AuditQuery query = AuditQuery.any();
    if (!tool.isBlank()) {
      query = query.tool(tool.strip());
    }
    if (!caller.isBlank()) {
      query = query.subject(caller.strip());
    }
    String wanted = outcome.strip();
    // the store filters by tool and caller; the outcome is filtered over the newest matches
    List<Row> rows = audit.find(query, wanted.isEmpty() ? SHOWN : WINDOW).stream()
        .filter(r -> wanted.isEmpty() || r.entry().outcome().equals(wanted) || r.entry().effect().equals(wanted))
        .limit(SHOWN).map(Row::of).toList();
    model.addAttribute("verification", audit.verify());
    model.addAttribute("rows", rows);
    model.addAttribute("tool", tool);
    model.addAttribute("outcome", outcome);
    model.addAttribute("caller", caller);
    model.addAttribute("user", user.caller().subject());
    model.addAttribute("auditor", true);
    return "chat/audit";
  }

  @GetMapping("/audit/records/{seq}")
  String record(@PathVariable long seq, @AuthenticationPrincipal ChatUser user, Model model) {
    Optional<AuditRecord> found = audit.recent(WINDOW).stream().filter(r -> r.seq() == seq).findFirst();
    AuditRecord record = found.orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND,
        "Record " + seq + " is not among the newest " + WINDOW + "; read older ones with the audit command."));
    model.addAttribute("record", record);
    model.addAttribute("entry", JSON.writerWithDefaultPrettyPrinter().writeValueAsString(record.entry()));
    model.addAttribute("user", user.caller().subject());
    model.addAttribute("auditor", true);
    return "chat/record";
  }
}
