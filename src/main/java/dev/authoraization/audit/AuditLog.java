package dev.authoraization.audit;

import java.util.List;

/**
 * The append-only, hash-chained audit log. An append returns only once the record is durable;
 * when it cannot be written it throws a {@code GatewayException} with {@code AUDIT_UNAVAILABLE}
 * and the caller must not act (fail closed).
 */
public interface AuditLog {

  AuditRecord append(AuditEntry entry);

  /** Walks the whole chain and reports the first broken link. */
  Verification verify();

  /** The newest records, newest first. */
  List<AuditRecord> recent(int limit);
}
