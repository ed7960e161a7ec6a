package dev.authoraization.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.support.TestDatabases;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Many callers, and several engine nodes, appending to one chain at the same time. */
class JdbcAuditLogConcurrencyIT {

  static final int THREADS = 32;
  static final int APPENDS = 50;

  @ParameterizedTest
  @MethodSource("dev.authoraization.support.TestDatabases#both")
  void concurrentAppendsFormOneContiguousChainInFewTransactions(DataSource ds) throws Exception {
    try (JdbcAuditLog log = new JdbcAuditLog(ds, AuditProperties.defaults())) {

      appendConcurrently(List.of(log));

      int total = THREADS * APPENDS;
      assertContiguous(ds, total);
      assertThat(log.verify()).isEqualTo(
          new Verification(true, total, java.util.Optional.empty(), "ok"));
      // Group commit: callers that queue while a batch is being written share the next one.
      assertThat(log.commits()).isPositive().isLessThan(total / 4);
    }
  }

  @Test
  void twoNodesOnOnePostgresKeepOneIntactChain() throws Exception {
    DataSource ds = TestDatabases.postgres();
    try (JdbcAuditLog nodeA = new JdbcAuditLog(ds, AuditProperties.defaults());
        JdbcAuditLog nodeB = new JdbcAuditLog(ds, AuditProperties.defaults())) {

      appendConcurrently(List.of(nodeA, nodeB));

      int total = THREADS * APPENDS;
      assertContiguous(ds, total);
      assertThat(nodeA.commits()).as("node A wrote batches").isPositive();
      assertThat(nodeB.commits()).as("node B wrote batches").isPositive();
      assertThat(nodeA.verify().intact()).isTrue();
      assertThat(nodeB.verify().checked()).isEqualTo(total);
    }
  }

  /** THREADS callers, spread over the given nodes, each appending APPENDS times. */
  static void appendConcurrently(List<JdbcAuditLog> nodes) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        JdbcAuditLog node = nodes.get(t % nodes.size());
        int thread = t;
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < APPENDS; i++) {
            node.append(JdbcAuditLogTests.decided("d-" + thread + "-" + i, "github.list_issues"));
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  static void assertContiguous(DataSource ds, int total) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*), COUNT(DISTINCT seq), MIN(seq), MAX(seq)"
            + " FROM audit_record WHERE chain = 'main'")) {
      rs.next();
      assertThat(List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)))
          .containsExactly((long) total, (long) total, 1L, (long) total);
    }
  }
}
