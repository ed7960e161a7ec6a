package dev.authoraization.audit;

import java.util.Objects;
import java.util.Optional;

/**
 * Filters for {@link AuditLog#find}; an empty filter matches every record.
 *
 * @param effect allow, deny or approve, as the policy decided
 */
public record AuditQuery(
    Optional<String> tool, Optional<String> subject, Optional<String> effect,
    Optional<String> approvalId) {

  public AuditQuery {
    Objects.requireNonNull(tool, "tool");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(effect, "effect");
    Objects.requireNonNull(approvalId, "approvalId");
  }

  public static AuditQuery any() {
    return new AuditQuery(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
  }

  public AuditQuery tool(String tool) {
    return new AuditQuery(Optional.of(tool), subject, effect, approvalId);
  }

  public AuditQuery subject(String subject) {
    return new AuditQuery(tool, Optional.of(subject), effect, approvalId);
  }

  public AuditQuery effect(String effect) {
    return new AuditQuery(tool, subject, Optional.of(effect), approvalId);
  }

  public AuditQuery approvalId(String approvalId) {
    return new AuditQuery(tool, subject, effect, Optional.of(approvalId));
  }

  public boolean matches(AuditEntry entry) {
    return tool.map(entry.tool()::equals).orElse(true)
        && subject.map(entry.subject()::equals).orElse(true)
        && effect.map(entry.effect()::equals).orElse(true)
        && approvalId.map(entry.approvalId()::equals).orElse(true);
  }
}
