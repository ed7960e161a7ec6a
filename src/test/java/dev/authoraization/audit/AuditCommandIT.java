package dev.authoraization.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.support.TestDatabases;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** {@code audit verify} as started from {@code main}: its own small Spring context, no web. */
class AuditCommandIT {

  final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

  @Test
  void verifyReportsAnIntactThenATamperedChainFromTheConfiguredDatabase() {
    String url = "jdbc:h2:mem:audit-cli;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;"
        + "DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1";
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL(url);
    ds.setUser("engine");
    Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
    try (JdbcAuditLog log = new JdbcAuditLog(ds, AuditProperties.defaults())) {
      for (int i = 0; i < 4; i++) {
        log.append(JdbcAuditLogTests.decided("d-" + i, "github.list_issues"));
      }
    }
    String[] args = {"audit", "verify", "--spring.datasource.url=" + url};

    assertThat(AuditCommand.run(args, out)).isZero();
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("audit chain intact: 4 records checked");

    JdbcAuditLogTests.sql(ds, "DELETE FROM audit_record WHERE seq = 4");
    printed.reset();

    assertThat(AuditCommand.run(args, out)).isEqualTo(1);
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("audit chain BROKEN at record 4: gap: record 4 missing at the end of the chain");
  }

  @Test
  void verifyMigratesAndChecksAFreshPostgresDatabase() {
    String[] args = {"audit", "verify", "--spring.datasource.url=" + TestDatabases.postgresUrl(),
        "--spring.datasource.username=postgres", "--spring.datasource.password="};

    assertThat(AuditCommand.run(args, out)).isZero();
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("audit chain intact: 0 records checked");
  }
}
