package dev.authoraization.support;

import dev.authoraization.audit.AuditEntry;
import dev.authoraization.audit.AuditLog;
import dev.authoraization.audit.AuditRecord;
import dev.authoraization.audit.Verification;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A test fake: keeps entries in memory and can be told to fail, as a broken database would. */
public final class InMemoryAuditLog implements AuditLog {

  private final List<AuditRecord> records = new ArrayList<>();
  private final List<String> later = new ArrayList<>();
  private volatile boolean failing;

  public void failFromNowOn(boolean failing) {
    this.failing = failing;
  }

  @Override
  public synchronized AuditRecord append(AuditEntry entry) {
    if (failing) {
      throw new GatewayException(ErrorCode.AUDIT_UNAVAILABLE, "The audit log could not be written; nothing was executed.");
    }
    AuditRecord record = new AuditRecord(records.size() + 1, Instant.now(), entry, "", "");
    records.add(record);
    return record;
  }

  /** Like {@link #append}, and remembers that the caller did not wait for it. */
  @Override
  public synchronized void appendLater(AuditEntry entry) {
    later.add(append(entry).entry().event());
  }

  /** The events appended with {@link #appendLater}, in order. */
  public synchronized List<String> appendedLater() {
    return List.copyOf(later);
  }

  @Override
  public Verification verify() {
    return new Verification(true, records.size(), Optional.empty(), "ok");
  }

  @Override
  public synchronized List<AuditRecord> recent(int limit) {
    return records.reversed().stream().limit(limit).toList();
  }

  public synchronized List<String> events() {
    return records.stream().map(r -> r.entry().event()).toList();
  }

  public synchronized List<AuditEntry> entries() {
    return records.stream().map(AuditRecord::entry).toList();
  }
}
