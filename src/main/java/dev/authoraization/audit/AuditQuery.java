package dev.authoraization.audit;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Filters for {@link AuditLog#find}; an empty filter matches every record. A store turns every
 * filter into a bound parameter of one query, so an old record is found as fast as a new one.
 *
 * @param effect allow, deny or approve, as the policy decided
 * @param outcome what came of a call: executed, failed, pending, denied, ...
 * @param from records at or after this instant
 * @param until records strictly before this instant
 * @param beforeSeq records older than this one (keyset paging, newest first)
 */
public record AuditQuery(
    Optional<String> tool, Optional<String> subject, Optional<String> effect,
    Optional<String> approvalId, Optional<String> outcome, Optional<Instant> from,
    Optional<Instant> until, Optional<Long> beforeSeq) {

  public AuditQuery {
    Objects.requireNonNull(tool, "tool");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(effect, "effect");
    Objects.requireNonNull(approvalId, "approvalId");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(until, "until");
    Objects.requireNonNull(beforeSeq, "beforeSeq");
  }

  public static AuditQuery any() {
    return new AuditQuery(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
  }

  public AuditQuery tool(String tool) {
    return new AuditQuery(Optional.of(tool), subject, effect, approvalId, outcome, from, until, beforeSeq);
  }

  public AuditQuery subject(String subject) {
    return new AuditQuery(tool, Optional.of(subject), effect, approvalId, outcome, from, until, beforeSeq);
  }

  public AuditQuery effect(String effect) {
    return new AuditQuery(tool, subject, Optional.of(effect), approvalId, outcome, from, until, beforeSeq);
  }

  public AuditQuery approvalId(String approvalId) {
    return new AuditQuery(tool, subject, effect, Optional.of(approvalId), outcome, from, until, beforeSeq);
  }

  public AuditQuery outcome(String outcome) {
    return new AuditQuery(tool, subject, effect, approvalId, Optional.of(outcome), from, until, beforeSeq);
  }

  /** At or after {@code from}. */
  public AuditQuery from(Instant from) {
    return new AuditQuery(tool, subject, effect, approvalId, outcome, Optional.of(from), until, beforeSeq);
  }

  /** Strictly before {@code until}. */
  public AuditQuery until(Instant until) {
    return new AuditQuery(tool, subject, effect, approvalId, outcome, from, Optional.of(until), beforeSeq);
  }

  /** Older than record {@code seq}: the next page after a page that ended at {@code seq}. */
  public AuditQuery beforeSeq(long seq) {
    return new AuditQuery(tool, subject, effect, approvalId, outcome, from, until, Optional.of(seq));
  }

  public boolean matches(AuditRecord record) {
    AuditEntry entry = record.entry();
    return tool.map(entry.tool()::equals).orElse(true)
        && subject.map(entry.subject()::equals).orElse(true)
        && effect.map(entry.effect()::equals).orElse(true)
        && approvalId.map(entry.approvalId()::equals).orElse(true)
        && outcome.map(entry.outcome()::equals).orElse(true)
        && from.map(f -> !record.at().isBefore(f)).orElse(true)
        && until.map(record.at()::isBefore).orElse(true)
        && beforeSeq.map(s -> record.seq() < s).orElse(true);
  }
}
