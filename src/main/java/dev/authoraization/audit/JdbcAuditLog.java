package dev.authoraization.audit;

import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.Fingerprint;
import dev.authoraization.call.GatewayException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The audit log in a SQL database (H2 or PostgreSQL), one hash chain per {@code chain} name.
 *
 * <p>Appends go through one writer thread per instance that drains whatever is queued, locks the
 * chain's {@code audit_head} row, chains and inserts the whole batch and commits once (group
 * commit, ARCHITECTURE.md section 7). The row lock keeps one chain intact when several engine
 * nodes write to the same database. See docs/adr/0004-audit-chain.md.
 */
public class JdbcAuditLog implements AuditLog, AutoCloseable {

  /** The one chain for now; a chain per tenant later keeps writers parallel. */
  public static final String MAIN_CHAIN = "main";

  private static final Logger log = LoggerFactory.getLogger(JdbcAuditLog.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final int PAGE = 500;
  private static final int QUEUE_CAPACITY = 100_000;
  private static final String UNAVAILABLE = "The audit log could not be written; nothing was"
      + " executed. Try again later; if it keeps failing, ask an operator to check the audit"
      + " database.";
  private static final String COLUMNS = "chain, seq, at, event, decision_id, subject, issuer,"
      + " agent, tool, arguments, effect, rule_id, reason, approval_id, approver, outcome,"
      + " credential, policy_revision, evidence, prev_hash, hash";
  private static final String INSERT = "INSERT INTO audit_record (" + COLUMNS + ")"
      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String UNIQUE_VIOLATION = "23505";

  private static final Pending STOP = new Pending(AuditEntry.event("stop", "").build(), "{}", "{}",
      Instant.EPOCH, new CompletableFuture<>());

  private final DataSource dataSource;
  private final String chain;
  private final Masking masking;
  private final Duration appendTimeout;
  private final int queryTimeoutSeconds;
  private final int batchSize;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>(QUEUE_CAPACITY);
  private final AtomicLong commits = new AtomicLong();
  private final Thread writer;
  private volatile boolean closed;

  public JdbcAuditLog(DataSource dataSource, AuditProperties properties) {
    this(dataSource, MAIN_CHAIN, properties);
  }

  public JdbcAuditLog(DataSource dataSource, String chain, AuditProperties properties) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.chain = Objects.requireNonNull(chain, "chain");
    this.masking = new Masking(properties.maskedFields());
    this.appendTimeout = properties.appendTimeout();
    this.queryTimeoutSeconds = (int) Math.max(1, properties.appendTimeout().toSeconds());
    this.batchSize = properties.batchSize();
    // A platform thread: JDBC drivers still pin virtual threads in places, and there is one.
    this.writer = Thread.ofPlatform().daemon().name("audit-writer-" + chain).start(this::drain);
  }

  /**
   * Masks, queues and waits until the record is committed. Fails closed with
   * {@code AUDIT_UNAVAILABLE} when the database fails or does not answer within the configured
   * append timeout; the record may then still be written later (the log errs on the side of
   * recording), but the caller must not act.
   */
  @Override
  public AuditRecord append(AuditEntry entry) {
    Pending pending = enqueue(entry);
    try {
      return pending.done.get(appendTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw unavailable();
    } catch (TimeoutException e) {
      if (!pending.done.cancel(false) && !pending.done.isCompletedExceptionally()) {
        return pending.done.join(); // committed just as the wait ran out
      }
      throw unavailable();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      pending.done.cancel(false);
      throw unavailable();
    }
  }

  @Override
  public void appendLater(AuditEntry entry) {
    enqueue(entry); // the writer logs a failed batch (without its contents); nobody waits for this one
  }

  /** Masks and queues a record for the writer; fails closed when the log is closed or its queue full. */
  private Pending enqueue(AuditEntry entry) {
    Pending pending = prepare(Objects.requireNonNull(entry, "entry"));
    if (closed || !queue.offer(pending)) {
      throw unavailable();
    }
    if (closed && queue.remove(pending)) {
      throw unavailable();
    }
    return pending;
  }

  @Override
  public Verification verify() {
    try (Connection c = dataSource.getConnection()) {
      // The head is read first: records committed after it are not this walk's business, and
      // every record up to it must exist, because a writer commits records and head together.
      Head head = readHead(c).orElse(new Head(0, ChainHash.GENESIS));
      long checked = 0;
      long expected = 1;
      String previous = ChainHash.GENESIS;
      long after = Long.MIN_VALUE;
      boolean more = true;
      while (more) {
        int rows = 0;
        try (PreparedStatement page = c.prepareStatement("SELECT " + COLUMNS
            + " FROM audit_record WHERE chain = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?")) {
          page.setString(1, chain);
          page.setLong(2, after);
          page.setLong(3, head.seq());
          page.setInt(4, PAGE);
          try (ResultSet rs = page.executeQuery()) {
            while (rs.next()) {
              rows++;
              long seq = rs.getLong("seq");
              if (seq < expected) {
                return broken(checked, seq, "unexpected record " + seq
                    + ": a chain starts at record 1");
              }
              if (seq > expected) {
                return broken(checked, expected, "gap: record " + expected + " missing");
              }
              String hash = rs.getString("hash");
              String prevHash = rs.getString("prev_hash");
              if (!hash.equals(recompute(rs, seq, prevHash))) {
                return broken(checked, seq, "hash mismatch: record was altered");
              }
              if (!prevHash.equals(previous)) {
                return broken(checked, seq,
                    "link broken: a record before it was removed or altered");
              }
              previous = hash;
              after = seq;
              expected++;
              checked++;
            }
          }
        }
        more = rows == PAGE;
      }
      long last = expected - 1;
      if (last < head.seq()) {
        return broken(checked, expected, last + 1 == head.seq()
            ? "gap: record " + expected + " missing at the end of the chain"
            : "gap: records " + expected + " to " + head.seq() + " missing at the end of the chain");
      }
      if (!previous.equals(head.hash())) {
        return broken(checked, last, "head mismatch: the last record does not match the chain head");
      }
      Optional<Long> beyond = firstAfter(c, head.seq());
      if (beyond.isPresent()) {
        Head now = readHead(c).orElse(head);
        if (beyond.get() > now.seq()) {
          return broken(checked, beyond.get(), "record " + beyond.get()
              + " lies beyond the chain head: it was not appended by the log");
        }
      }
      return new Verification(true, checked, Optional.empty(), "ok");
    } catch (SQLException e) {
      log.warn("audit chain {} could not be read ({}, SQL state {})", chain,
          e.getClass().getSimpleName(), e.getSQLState());
      throw new GatewayException(ErrorCode.AUDIT_UNAVAILABLE,
          "The audit log could not be read; the chain was not verified.");
    }
  }

  @Override
  public List<AuditRecord> recent(int limit) {
    return find(AuditQuery.any(), limit);
  }

  /**
   * One query: every filter is a bound parameter, newest first by {@code seq} (keyset paging with
   * {@link AuditQuery#beforeSeq}), so a filter reaches the oldest record as well as the newest.
   */
  @Override
  public List<AuditRecord> find(AuditQuery query, int limit) {
    if (limit <= 0) {
      return List.of();
    }
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS
        + " FROM audit_record WHERE chain = ?");
    List<Object> values = new ArrayList<>();
    values.add(chain);
    filter(sql, values, "tool = ?", query.tool());
    filter(sql, values, "subject = ?", query.subject());
    filter(sql, values, "effect = ?", query.effect());
    filter(sql, values, "approval_id = ?", query.approvalId());
    filter(sql, values, "outcome = ?", query.outcome());
    filter(sql, values, "at >= ?", query.from().map(f -> OffsetDateTime.ofInstant(f, ZoneOffset.UTC)));
    filter(sql, values, "at < ?", query.until().map(u -> OffsetDateTime.ofInstant(u, ZoneOffset.UTC)));
    filter(sql, values, "seq < ?", query.beforeSeq());
    sql.append(" ORDER BY seq DESC LIMIT ?");
    values.add(limit);
    try (Connection c = dataSource.getConnection();
        PreparedStatement select = c.prepareStatement(sql.toString())) {
      select.setQueryTimeout(queryTimeoutSeconds);
      for (int i = 0; i < values.size(); i++) {
        select.setObject(i + 1, values.get(i));
      }
      List<AuditRecord> records = new ArrayList<>();
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          records.add(new AuditRecord(rs.getLong("seq"), at(rs), entry(rs),
              rs.getString("prev_hash"), rs.getString("hash")));
        }
      }
      return records;
    } catch (SQLException e) {
      log.warn("audit chain {} could not be read ({}, SQL state {})", chain,
          e.getClass().getSimpleName(), e.getSQLState());
      throw new GatewayException(ErrorCode.AUDIT_UNAVAILABLE, "The audit log could not be read.");
    }
  }

  /** How many batches were committed; less than the appends when group commit works. */
  public long commits() {
    return commits.get();
  }

  /** Stops the writer; queued appends fail closed. */
  @Override
  public void close() {
    closed = true;
    // A stop marker, not an interrupt: interrupting a thread inside H2's file I/O closes the
    // database file under it.
    if (!queue.offer(STOP)) {
      writer.interrupt();
    }
    try {
      writer.join(appendTimeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Pending left;
    while ((left = queue.poll()) != null) {
      left.done.completeExceptionally(new IllegalStateException("audit log closed"));
    }
  }

  private Pending prepare(AuditEntry entry) {
    // Stored as canonical text and hashed from that text parsed again, so the writer and a
    // later verifier hash exactly the same tree.
    String arguments = Fingerprint.canonical(JSON.writeValueAsString(masking.mask(entry.arguments())));
    String evidence = Fingerprint.canonical(JSON.writeValueAsString(masking.mask(entry.evidence())));
    AuditEntry masked = new AuditEntry(entry.event(), entry.decisionId(), entry.subject(),
        entry.issuer(), entry.agent(), entry.tool(), JSON.readTree(arguments), entry.effect(),
        entry.ruleId(), entry.reason(), entry.approvalId(), entry.approver(), entry.outcome(),
        entry.credential(), entry.policyRevision(), JSON.readTree(evidence));
    // Both databases keep microseconds; truncating first makes what is read back hash the same.
    Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
    return new Pending(masked, arguments, evidence, at, new CompletableFuture<>());
  }

  private void drain() {
    List<Pending> batch = new ArrayList<>(batchSize);
    boolean stop = false;
    while (!stop) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        break;
      }
      queue.drainTo(batch, batchSize - 1);
      stop = batch.remove(STOP);
      batch.removeIf(p -> p.done.isDone()); // its caller gave up waiting
      if (!batch.isEmpty()) {
        write(batch);
      }
      batch.clear();
    }
  }

  private void write(List<Pending> batch) {
    List<AuditRecord> records;
    try {
      records = commit(batch);
    } catch (SQLException | RuntimeException e) {
      // The class and SQL state only: driver messages can quote statements and bound values.
      log.warn("audit chain {}: a batch of {} records could not be written ({}, SQL state {})",
          chain, batch.size(), e.getClass().getSimpleName(),
          e instanceof SQLException s ? s.getSQLState() : "none");
      log.debug("audit write failure", e);
      batch.forEach(p -> p.done.completeExceptionally(e));
      return;
    }
    commits.incrementAndGet();
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).done.complete(records.get(i));
    }
  }

  private List<AuditRecord> commit(List<Pending> batch) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        Head head = lockHead(c);
        List<AuditRecord> records = new ArrayList<>(batch.size());
        long seq = head.seq();
        String previous = head.hash();
        try (PreparedStatement insert = c.prepareStatement(INSERT)) {
          insert.setQueryTimeout(queryTimeoutSeconds);
          for (Pending p : batch) {
            seq++;
            String hash = ChainHash.of(chain, seq, p.at, p.entry, previous);
            bind(insert, seq, p, previous, hash);
            insert.addBatch();
            records.add(new AuditRecord(seq, p.at, p.entry, previous, hash));
            previous = hash;
          }
          insert.executeBatch();
        }
        try (PreparedStatement update =
            c.prepareStatement("UPDATE audit_head SET seq = ?, hash = ? WHERE chain = ?")) {
          update.setQueryTimeout(queryTimeoutSeconds);
          update.setLong(1, seq);
          update.setString(2, previous);
          update.setString(3, chain);
          if (update.executeUpdate() != 1) {
            throw new SQLException("audit head row vanished");
          }
        }
        c.commit();
        return records;
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    }
  }

  /** Locks the chain's head row for this transaction, creating it for a chain's first record. */
  private Head lockHead(Connection c) throws SQLException {
    Optional<Head> head = selectHead(c, true);
    if (head.isPresent()) {
      return head.get();
    }
    createHead();
    return selectHead(c, true).orElseThrow(() -> new SQLException("audit head row missing"));
  }

  private Optional<Head> readHead(Connection c) throws SQLException {
    return selectHead(c, false);
  }

  private Optional<Head> selectHead(Connection c, boolean forUpdate) throws SQLException {
    try (PreparedStatement select = c.prepareStatement("SELECT seq, hash FROM audit_head"
        + " WHERE chain = ?" + (forUpdate ? " FOR UPDATE" : ""))) {
      select.setQueryTimeout(queryTimeoutSeconds);
      select.setString(1, chain);
      try (ResultSet rs = select.executeQuery()) {
        return rs.next() ? Optional.of(new Head(rs.getLong(1), rs.getString(2))) : Optional.empty();
      }
    }
  }

  /** On its own connection, so that losing the race to another node aborts nothing. */
  private void createHead() throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement insert = c.prepareStatement(
            "INSERT INTO audit_head (chain, seq, hash) VALUES (?, 0, ?)")) {
      c.setAutoCommit(true);
      insert.setString(1, chain);
      insert.setString(2, ChainHash.GENESIS);
      insert.executeUpdate();
    } catch (SQLException e) {
      if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
        throw e;
      }
    }
  }

  private Optional<Long> firstAfter(Connection c, long seq) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(
        "SELECT MIN(seq) FROM audit_record WHERE chain = ? AND seq > ?")) {
      select.setString(1, chain);
      select.setLong(2, seq);
      try (ResultSet rs = select.executeQuery()) {
        rs.next();
        long min = rs.getLong(1);
        return rs.wasNull() ? Optional.empty() : Optional.of(min);
      }
    }
  }

  private String recompute(ResultSet rs, long seq, String prevHash) throws SQLException {
    try {
      return ChainHash.of(rs.getString("chain"), seq, at(rs), entry(rs), prevHash);
    } catch (RuntimeException unreadable) {
      return "unreadable"; // e.g. arguments edited into text that is not JSON
    }
  }

  private void bind(PreparedStatement insert, long seq, Pending p, String prevHash, String hash)
      throws SQLException {
    AuditEntry e = p.entry;
    insert.setString(1, chain);
    insert.setLong(2, seq);
    insert.setObject(3, OffsetDateTime.ofInstant(p.at, ZoneOffset.UTC));
    insert.setString(4, e.event());
    insert.setString(5, e.decisionId());
    insert.setString(6, e.subject());
    insert.setString(7, e.issuer());
    insert.setString(8, e.agent());
    insert.setString(9, e.tool());
    insert.setString(10, p.arguments);
    insert.setString(11, e.effect());
    insert.setString(12, e.ruleId());
    insert.setString(13, e.reason());
    insert.setString(14, e.approvalId());
    insert.setString(15, e.approver());
    insert.setString(16, e.outcome());
    insert.setString(17, e.credential());
    insert.setString(18, e.policyRevision());
    insert.setString(19, p.evidence);
    insert.setString(20, prevHash);
    insert.setString(21, hash);
  }

  private static Instant at(ResultSet rs) throws SQLException {
    return rs.getObject("at", OffsetDateTime.class).toInstant();
  }

  private static AuditEntry entry(ResultSet rs) throws SQLException {
    return new AuditEntry(rs.getString("event"), rs.getString("decision_id"),
        rs.getString("subject"), rs.getString("issuer"), rs.getString("agent"),
        rs.getString("tool"), json(rs.getString("arguments")), rs.getString("effect"),
        rs.getString("rule_id"), rs.getString("reason"), rs.getString("approval_id"),
        rs.getString("approver"), rs.getString("outcome"), rs.getString("credential"),
        rs.getString("policy_revision"), json(rs.getString("evidence")));
  }

  private static JsonNode json(String text) {
    return JSON.readTree(text);
  }

  /** {@code condition} has exactly one {@code ?}; the value is bound, never spliced in. */
  private static void filter(StringBuilder sql, List<Object> values, String condition,
      Optional<?> value) {
    value.ifPresent(v -> {
      sql.append(" AND ").append(condition);
      values.add(v);
    });
  }

  private static Verification broken(long checked, long seq, String detail) {
    return new Verification(false, checked, Optional.of(seq), detail);
  }

  private static GatewayException unavailable() {
    // names the database as the failing dependency, and when to come back (the REST door's Retry-After)
    return new GatewayException(ErrorCode.AUDIT_UNAVAILABLE, UNAVAILABLE,
        Map.of("dependency", "database", "retry_after_seconds", "5"));
  }

  private record Head(long seq, String hash) {}

  private record Pending(AuditEntry entry, String arguments, String evidence, Instant at,
      CompletableFuture<AuditRecord> done) {}
}
