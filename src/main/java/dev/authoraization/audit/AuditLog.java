package dev.authoraization.audit;

import java.util.List;
import java.util.Optional;

/**
 * The append-only, hash-chained audit log. An append returns only once the record is durable;
 * when it cannot be written it throws a {@code GatewayException} with {@code AUDIT_UNAVAILABLE}
 * and the caller must not act (fail closed).
 */
public interface AuditLog {

  AuditRecord append(AuditEntry entry);

  /**
   * Queues a record without waiting for it to be durable: for the outcome of an allowed read,
   * whose decision record was made durable before the call (ARCHITECTURE.md section 7: one
   * durable append on that path). The chain keeps its order; if the database fails before the
   * record is written it is lost and the failure logged, while the durable decision record still
   * shows the read. Throws {@code AUDIT_UNAVAILABLE} when it cannot even be queued, so the caller
   * can still withhold the result. The default waits, like {@link #append}.
   */
  default void appendLater(AuditEntry entry) {
    append(entry);
  }

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
        .filter(query::matches)
        .limit(Math.max(limit, 0))
        .toList();
  }

  /** One record by its place in the chain, however old. */
  default Optional<AuditRecord> record(long seq) {
    if (seq < 1 || seq == Long.MAX_VALUE) {
      return Optional.empty();
    }
    return find(AuditQuery.any().beforeSeq(seq + 1), 1).stream().filter(r -> r.seq() == seq).findFirst();
  }
}
