package dev.authoraization.audit;

import dev.authoraization.call.Fingerprint;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The hash of one chained record: SHA-256 (hex) over the RFC 8785 canonical JSON of every stored
 * field and the previous record's hash. See docs/adr/0004-audit-chain.md.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc8785">RFC 8785: JSON Canonicalization Scheme</a>
 */
final class ChainHash {

  /** The previous hash of a chain's first record. */
  static final String GENESIS = "0".repeat(64);

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /**
   * Fixed precision, so that "12:00:00.100000Z" is never written as "12:00:00.1Z" by one side.
   * Both H2 and PostgreSQL keep microseconds, which is why the log truncates to them first.
   */
  private static final DateTimeFormatter AT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private ChainHash() {}

  static String of(String chain, long seq, Instant at, AuditEntry entry, String prevHash) {
    ObjectNode fields = JSON.createObjectNode();
    fields.put("seq", seq);
    fields.put("chain", chain);
    fields.put("at", AT.format(at));
    fields.put("event", entry.event());
    fields.put("decisionId", entry.decisionId());
    fields.put("subject", entry.subject());
    fields.put("issuer", entry.issuer());
    fields.put("agent", entry.agent());
    fields.put("tool", entry.tool());
    fields.set("arguments", entry.arguments());
    fields.put("effect", entry.effect());
    fields.put("ruleId", entry.ruleId());
    fields.put("reason", entry.reason());
    fields.put("approvalId", entry.approvalId());
    fields.put("approver", entry.approver());
    fields.put("outcome", entry.outcome());
    fields.put("credential", entry.credential());
    fields.put("policyRevision", entry.policyRevision());
    fields.set("evidence", entry.evidence());
    fields.put("prevHash", prevHash);
    return Fingerprint.sha256(Fingerprint.canonical(JSON.writeValueAsString(fields)));
  }
}
