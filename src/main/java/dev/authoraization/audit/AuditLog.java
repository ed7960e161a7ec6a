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

  /**
   * The newest records that match the query, newest first. The default filters the whole log in
   * memory, which is only good enough for fakes; a store overrides it with a query.
   */
  default List<AuditRecord> find(AuditQuery query, int limit) {
    return recent(Integer.MAX_VALUE).stream()
        .filter(r -> query.matches(r.entry()))
        .limit(Math.max(limit, 0))
        .toList();
  }
}
