package dev.authoraization.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.authoraization.call.Caller;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.support.TestDatabases;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class JdbcAuditLogTests {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final String BOTH = "dev.authoraization.support.TestDatabases#both";

  JdbcAuditLog log;

  @AfterEach
  void close() {
    if (log != null) {
      log.close();
    }
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void appendedRecordsFormAnIntactChain(DataSource ds) {
    log = new JdbcAuditLog(ds, AuditProperties.defaults());

    AuditRecord first = log.append(decided("d-1", "github.merge_pull_request"));
    AuditRecord second = log.append(decided("d-2", "github.list_issues"));
    AuditRecord third = log.append(decided("d-3", "github.list_issues"));

    assertThat(List.of(first.seq(), second.seq(), third.seq())).containsExactly(1L, 2L, 3L);
    assertThat(first.prevHash()).isEqualTo("0".repeat(64));
    assertThat(second.prevHash()).isEqualTo(first.hash());
    assertThat(third.prevHash()).isEqualTo(second.hash());
    assertThat(log.verify()).isEqualTo(new Verification(true, 3, Optional.empty(), "ok"));
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void recordsReadBackAreWhatWasAppendedNewestFirst(DataSource ds) {
    log = new JdbcAuditLog(ds, AuditProperties.defaults());
    AuditRecord first = log.append(decided("d-1", "github.list_issues"));
    AuditRecord second = log.append(decided("d-2", "github.merge_pull_request"));

    assertThat(log.recent(10)).containsExactly(second, first);
    assertThat(log.recent(1)).containsExactly(second);
    assertThat(log.recent(0)).isEmpty();
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void findFiltersByToolSubjectEffectAndApproval(DataSource ds) {
    log = new JdbcAuditLog(ds, AuditProperties.defaults());
    AuditRecord read = log.append(decided("d-1", "github.list_issues"));
    AuditRecord merge = log.append(AuditEntry.event("approval.requested", "d-2")
        .caller(Caller.of("bob", "https://idp", Set.of()))
        .tool("github.merge_pull_request", JSON.createObjectNode())
        .decision("approve", "merge-needs-approval", "destructive")
        .approval("ap-7", "")
        .build());

    assertThat(log.find(AuditQuery.any().tool("github.list_issues"), 10)).containsExactly(read);
    assertThat(log.find(AuditQuery.any().subject("bob"), 10)).containsExactly(merge);
    assertThat(log.find(AuditQuery.any().effect("allow"), 10)).containsExactly(read);
    assertThat(log.find(AuditQuery.any().approvalId("ap-7").subject("bob"), 10))
        .containsExactly(merge);
    assertThat(log.find(AuditQuery.any().approvalId("ap-7").subject("alice"), 10)).isEmpty();
  }

  /** Appends concurrently, so group commit writes them in a few batches instead of one commit each. */
  static List<AuditRecord> appendMany(JdbcAuditLog log, int count, java.util.function.IntFunction<AuditEntry> entry)
      throws Exception {
    try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      List<java.util.concurrent.Future<AuditRecord>> futures = new java.util.ArrayList<>();
      for (int i = 0; i < count; i++) {
        int n = i;
        futures.add(pool.submit(() -> log.append(entry.apply(n))));
      }
      List<AuditRecord> records = new java.util.ArrayList<>();
      for (var f : futures) {
        records.add(f.get());
      }
      return records;
    }
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void aRecordOlderThanTheNewestTwoThousandIsFoundByEachFilter(DataSource ds) throws Exception {
    log = new JdbcAuditLog(ds, AuditProperties.defaults());
    AuditRecord old = log.append(AuditEntry.event("call.executed", "d-old")
        .caller(Caller.of("mallory", "https://idp", Set.of("dev")))
        .tool("github.delete_repository", JSON.createObjectNode())
        .decision("deny", "deny-by-default", "no rule").outcome("denied").build());
    appendMany(log, 2_100, n -> decided("d-" + n, "github.list_issues"));

    assertThat(log.recent(2_000)).doesNotContain(old);
    assertThat(log.find(AuditQuery.any().tool("github.delete_repository"), 100)).containsExactly(old);
    assertThat(log.find(AuditQuery.any().subject("mallory"), 100)).containsExactly(old);
    assertThat(log.find(AuditQuery.any().effect("deny"), 100)).containsExactly(old);
    assertThat(log.find(AuditQuery.any().outcome("denied"), 100)).containsExactly(old);
    assertThat(log.record(old.seq())).contains(old);
    assertThat(log.record(0)).isEmpty();
    assertThat(log.record(99_999)).isEmpty();
    assertThat(log.verify().intact()).isTrue();
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void pagesFollowEachOtherNewestFirstWithoutGapsOrRepeats(DataSource ds) throws Exception {
    log = new JdbcAuditLog(ds, AuditProperties.defaults());
    appendMany(log, 250, n -> decided("d-" + n, "github.list_issues"));

    List<Long> seen = new java.util.ArrayList<>();
    AuditQuery query = AuditQuery.any().tool("github.list_issues");
    List<AuditRecord> page = log.find(query, 100);
    while (!page.isEmpty()) {
      page.forEach(r -> seen.add(r.seq()));
      page = log.find(query.beforeSeq(page.getLast().seq()), 100);
    }

    assertThat(seen).hasSize(250).isSortedAccordingTo(java.util.Comparator.reverseOrder())
        .doesNotHaveDuplicates().startsWith(250L).endsWith(1L);
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void timeRangeIncludesItsStartAndExcludesItsEnd(DataSource ds) {
    log = new JdbcAuditLog(ds, AuditProperties.defaults());
    AuditRecord first = log.append(decided("d-1", "github.list_issues"));
    AuditRecord second = log.append(decided("d-2", "github.list_issues"));
    AuditRecord third = log.append(decided("d-3", "github.list_issues"));

    assertThat(log.find(AuditQuery.any().from(second.at()), 10)).containsExactly(third, second);
    assertThat(log.find(AuditQuery.any().until(second.at()), 10)).containsExactly(first);
    assertThat(log.find(AuditQuery.any().from(second.at()).until(third.at()), 10)).containsExactly(second);
    assertThat(log.find(AuditQuery.any().from(third.at().plusSeconds(1)), 10)).isEmpty();
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void filterValuesAreBoundParametersSoAnInjectionFindsNothingAndBreaksNothing(DataSource ds) {
    log = new JdbcAuditLog(ds, AuditProperties.defaults());
    log.append(decided("d-1", "github.list_issues"));
    log.append(decided("d-2", "github.merge_pull_request"));

    for (String attack : List.of("x' OR '1'='1", "' OR 1=1 --", "github.list_issues'; DELETE FROM audit_record; --",
        "%", "_", "\\")) {
      assertThat(log.find(AuditQuery.any().tool(attack), 10)).as(attack).isEmpty();
      assertThat(log.find(AuditQuery.any().subject(attack).outcome(attack), 10)).as(attack).isEmpty();
      assertThat(log.find(AuditQuery.any().effect(attack).approvalId(attack), 10)).as(attack).isEmpty();
    }
    assertThat(log.recent(10)).hasSize(2);
    assertThat(log.verify().intact()).isTrue();
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void maskedFieldsAreRedactedAtAnyDepthAndNeverStored(DataSource ds) throws Exception {
    log = new JdbcAuditLog(ds, AuditProperties.defaults());
    JsonNode arguments = JSON.readTree("""
        {"owner": "acme", "Password": "hunter2-canary",
         "nested": {"list": [{"API_KEY": "k-canary"}, {"token": {"deep": "t-canary"}}]},
         "tokens_seen": 3}""");
    JsonNode evidence = JSON.readTree("""
        {"assertion": {"Client_Secret": "s-canary", "acr": "phr"}}""");

    AuditRecord record = log.append(AuditEntry.event("call.decided", "d-1")
        .tool("github.create_issue", arguments).evidence(evidence).build());

    JsonNode stored = log.recent(1).getFirst().entry().arguments();
    assertThat(stored.get("Password").asString()).isEqualTo("[redacted]");
    assertThat(stored.at("/nested/list/0/API_KEY").asString()).isEqualTo("[redacted]");
    assertThat(stored.at("/nested/list/1/token").asString()).isEqualTo("[redacted]");
    assertThat(stored.get("owner").asString()).isEqualTo("acme");
    assertThat(stored.get("tokens_seen").asInt()).isEqualTo(3);
    assertThat(log.recent(1).getFirst().entry().evidence().at("/assertion/Client_Secret")
        .asString()).isEqualTo("[redacted]");
    assertThat(record.entry().arguments()).isEqualTo(stored);
    assertThat(arguments.get("Password").asString())
        .as("the caller's own arguments are left alone").isEqualTo("hunter2-canary");
    assertThat(rowText(ds)).contains("acme", "[redacted]")
        .doesNotContain("hunter2-canary", "k-canary", "t-canary", "s-canary");
    assertThat(log.verify().intact()).isTrue();
  }

  @Test
  void configuredMaskedFieldsReplaceTheDefaults() throws Exception {
    DataSource ds = TestDatabases.h2();
    log = new JdbcAuditLog(ds, AuditProperties.defaults().withMaskedFields(Set.of("ssn")));

    log.append(AuditEntry.event("call.decided", "d-1")
        .tool("hr.lookup", JSON.readTree("{\"SSN\": \"123-45-6789\", \"name\": \"Ann\"}"))
        .build());

    assertThat(rowText(ds)).doesNotContain("123-45-6789").contains("Ann");
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void editedRecordIsReportedAsAltered(DataSource ds) {
    appendFive(ds);

    sql(ds, "UPDATE audit_record SET outcome = 'denied' WHERE seq = 3");

    Verification result = log.verify();
    assertThat(result.intact()).isFalse();
    assertThat(result.firstBroken()).contains(3L);
    assertThat(result.detail()).isEqualTo("hash mismatch: record was altered");
    assertThat(result.checked()).isEqualTo(2);
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void editedArgumentsAreReportedAsAltered(DataSource ds) {
    appendFive(ds);

    sql(ds, "UPDATE audit_record SET arguments = '{\"number\":43}' WHERE seq = 2");

    assertThat(log.verify().firstBroken()).contains(2L);
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void recordRewrittenWithAFreshHashBreaksTheNextLink(DataSource ds) {
    appendFive(ds);
    AuditRecord original = log.recent(5).get(2);
    assertThat(original.seq()).isEqualTo(3);
    AuditEntry e = original.entry();
    AuditEntry forged = new AuditEntry(e.event(), e.decisionId(), e.subject(), e.issuer(),
        e.agent(), e.tool(), e.arguments(), e.effect(), e.ruleId(), e.reason(), e.approvalId(),
        e.approver(), "denied", e.credential(), e.policyRevision(), e.evidence());
    String hash = ChainHash.of("main", 3, original.at(), forged, original.prevHash());

    sql(ds, "UPDATE audit_record SET outcome = 'denied', hash = '" + hash + "' WHERE seq = 3");

    Verification result = log.verify();
    assertThat(result.firstBroken()).contains(4L);
    assertThat(result.detail())
        .isEqualTo("link broken: a record before it was removed or altered");
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void deletedMiddleRecordIsReportedAsGap(DataSource ds) {
    appendFive(ds);

    sql(ds, "DELETE FROM audit_record WHERE seq = 3");

    Verification result = log.verify();
    assertThat(result.intact()).isFalse();
    assertThat(result.firstBroken()).contains(3L);
    assertThat(result.detail()).isEqualTo("gap: record 3 missing");
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void truncatedTailIsReported(DataSource ds) {
    appendFive(ds);

    sql(ds, "DELETE FROM audit_record WHERE seq >= 4");

    Verification result = log.verify();
    assertThat(result.intact()).isFalse();
    assertThat(result.firstBroken()).contains(4L);
    assertThat(result.detail()).isEqualTo("gap: records 4 to 5 missing at the end of the chain");
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void swappedRecordsAreReported(DataSource ds) {
    appendFive(ds);

    sql(ds, "UPDATE audit_record SET seq = -1 WHERE seq = 2");
    sql(ds, "UPDATE audit_record SET seq = 2 WHERE seq = 4");
    sql(ds, "UPDATE audit_record SET seq = 4 WHERE seq = -1");

    Verification result = log.verify();
    assertThat(result.intact()).isFalse();
    assertThat(result.firstBroken()).contains(2L);
    assertThat(result.detail()).isEqualTo("hash mismatch: record was altered");
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void recordSmuggledBeyondTheHeadIsReported(DataSource ds) {
    appendFive(ds);

    sql(ds, "INSERT INTO audit_record SELECT chain, 6, at, event, decision_id, subject, issuer,"
        + " agent, tool, arguments, effect, rule_id, reason, approval_id, approver, outcome,"
        + " credential, policy_revision, evidence, hash, hash FROM audit_record WHERE seq = 5");

    Verification result = log.verify();
    assertThat(result.intact()).isFalse();
    assertThat(result.firstBroken()).contains(6L);
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void emptyChainIsIntact(DataSource ds) {
    log = new JdbcAuditLog(ds, AuditProperties.defaults());

    assertThat(log.verify()).isEqualTo(new Verification(true, 0, Optional.empty(), "ok"));
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void chainsAreIndependent(DataSource ds) {
    log = new JdbcAuditLog(ds, AuditProperties.defaults());
    try (JdbcAuditLog tenant = new JdbcAuditLog(ds, "tenant-a", AuditProperties.defaults())) {
      log.append(decided("d-1", "github.list_issues"));
      AuditRecord first = tenant.append(decided("d-2", "github.list_issues"));
      log.append(decided("d-3", "github.list_issues"));

      assertThat(first.seq()).isEqualTo(1);
      assertThat(tenant.verify().checked()).isEqualTo(1);
      assertThat(log.verify().checked()).isEqualTo(2);
    }
  }

  @Test
  void failingDatabaseFailsClosedPromptlyWithoutSqlInTheMessage() {
    DataSource ds = TestDatabases.h2();
    log = new JdbcAuditLog(ds, AuditProperties.defaults());
    log.append(decided("d-1", "github.list_issues"));
    sql(ds, "DROP TABLE audit_record");

    long start = System.nanoTime();
    assertThatThrownBy(() -> log.append(decided("d-2", "github.list_issues")))
        .isInstanceOfSatisfying(GatewayException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.AUDIT_UNAVAILABLE);
          assertThat(e.getMessage()).startsWith("The audit log could not be written; nothing was"
              + " executed.").doesNotContainIgnoringCase("audit_record")
              .doesNotContainIgnoringCase("insert").doesNotContainIgnoringCase("select");
          assertThat(e.getCause()).isNull();
        });
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void unreachableDatabaseFailsClosedWithoutLeakingTheDriverMessage() {
    DataSource broken = new Failing("connection to db.internal refused for password=p-canary");
    log = new JdbcAuditLog(broken, AuditProperties.defaults());

    assertThatThrownBy(() -> log.append(decided("d-1", "github.list_issues")))
        .isInstanceOfSatisfying(GatewayException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.AUDIT_UNAVAILABLE);
          assertThat(e.getMessage()).doesNotContain("p-canary", "db.internal");
        });
  }

  @Test
  void hangingDatabaseFailsClosedAfterTheAppendTimeout() {
    CountDownLatch never = new CountDownLatch(1);
    DataSource hanging = new Failing("hung") {
      @Override
      public Connection getConnection() throws SQLException {
        try {
          never.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new SQLException("interrupted");
      }
    };
    log = new JdbcAuditLog(hanging, AuditProperties.defaults()
        .withAppendTimeout(Duration.ofMillis(300)));
    try {
      long start = System.nanoTime();
      assertThatThrownBy(() -> log.append(decided("d-1", "github.list_issues")))
          .isInstanceOfSatisfying(GatewayException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.AUDIT_UNAVAILABLE));
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isBetween(Duration.ofMillis(250), Duration.ofSeconds(5));
    } finally {
      never.countDown();
    }
  }

  @Test
  void appendLaterReturnsWhileTheDatabaseIsStuckAndTheRecordLandsInChainOrderOnceItIsBack() throws Exception {
    CountDownLatch stuck = new CountDownLatch(1);
    DataSource database = TestDatabases.h2();
    DataSource held = new Failing("held") {
      @Override
      public Connection getConnection() throws SQLException {
        try {
          stuck.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return database.getConnection();
      }
    };
    log = new JdbcAuditLog(held, AuditProperties.defaults());

    log.appendLater(decided("d-1", "github.list_issues"));
    log.appendLater(decided("d-2", "github.list_issues"));

    assertThat(log.commits()).as("returned before anything was written").isZero();
    stuck.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> log.recent(10).size() == 2);
    assertThat(log.recent(10)).extracting(r -> r.entry().decisionId()).containsExactly("d-2", "d-1");
    assertThat(log.verify().intact()).isTrue();
  }

  @Test
  void appendLaterOnAClosedLogFailsClosed() {
    log = new JdbcAuditLog(TestDatabases.h2(), AuditProperties.defaults());
    log.close();

    assertThatThrownBy(() -> log.appendLater(decided("d-1", "github.list_issues")))
        .isInstanceOfSatisfying(GatewayException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.AUDIT_UNAVAILABLE));
  }

  @Test
  void closedLogRefusesAppends() {
    log = new JdbcAuditLog(TestDatabases.h2(), AuditProperties.defaults());
    log.close();

    assertThatThrownBy(() -> log.append(decided("d-1", "github.list_issues")))
        .isInstanceOfSatisfying(GatewayException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.AUDIT_UNAVAILABLE));
  }

  void appendFive(DataSource ds) {
    log = new JdbcAuditLog(ds, AuditProperties.defaults());
    for (int i = 1; i <= 5; i++) {
      log.append(AuditEntry.event("call.executed", "d-" + i)
          .caller(Caller.of("alice", "https://idp", Set.of("dev")))
          .tool("github.merge_pull_request", JSON.createObjectNode().put("number", 40 + i))
          .decision("allow", "rule-" + i, "matched")
          .outcome("executed")
          .build());
    }
    assertThat(log.verify().intact()).isTrue();
  }

  static AuditEntry decided(String decisionId, String tool) {
    return AuditEntry.event("call.decided", decisionId)
        .caller(Caller.of("alice", "https://idp", Set.of("dev")))
        .tool(tool, JSON.createObjectNode().put("owner", "acme").put("repo", "web"))
        .decision("allow", "read-anything", "reads are allowed")
        .outcome("pending")
        .policyRevision("r1")
        .build();
  }

  static void sql(DataSource ds, String statement) {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute(statement);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static String rowText(DataSource ds) throws SQLException {
    StringBuilder text = new StringBuilder();
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM audit_record")) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        for (int i = 1; i <= columns; i++) {
          text.append(rs.getString(i)).append('|');
        }
      }
    }
    return text.toString();
  }

  /** A DataSource whose every connection attempt fails as a driver would. */
  static class Failing implements DataSource {
    private final String message;

    Failing(String message) {
      this.message = message;
    }

    @Override
    public Connection getConnection() throws SQLException {
      throw new SQLException(message, "08001");
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
      return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
      return new PrintWriter(System.err);
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() {
      return Logger.getGlobal();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  }
}
