package dev.authoraization.dependency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.authoraization.audit.AuditEntry;
import dev.authoraization.audit.AuditProperties;
import dev.authoraization.audit.JdbcAuditLog;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.health.DataSourceHealthIndicator;

/**
 * The database down (a PostgreSQL address nobody listens on): the audit append the pipeline
 * needs before acting fails closed with {@code audit_unavailable} within its timeout, and the
 * {@code db} health component that the readiness group follows is DOWN.
 */
class DatabaseDownTests {

  private static PGSimpleDataSource closedPort() {
    PGSimpleDataSource down = new PGSimpleDataSource();
    down.setUrl("jdbc:postgresql://127.0.0.1:9/engine");
    down.setUser("engine");
    down.setConnectTimeout(2);
    return down;
  }

  @Test
  void auditAppendWhenTheDatabaseIsDownThenFailsClosedWithoutSqlInTheMessage() {
    try (JdbcAuditLog audit = new JdbcAuditLog(closedPort(),
        AuditProperties.defaults().withAppendTimeout(Duration.ofSeconds(3)))) {
      GatewayException e = catchThrowableOfType(GatewayException.class,
          () -> audit.append(AuditEntry.event("call.decided", "decision-1").build()));

      assertThat(e.code()).isEqualTo(ErrorCode.AUDIT_UNAVAILABLE);
      assertThat(e.getMessage()).contains("nothing was executed").doesNotContain("jdbc:").doesNotContain("SQL");
    }
  }

  @Test
  void databaseHealthWhenTheDatabaseIsDownThenDown() {
    assertThat(new DataSourceHealthIndicator(closedPort()).health().getStatus()).isEqualTo(Status.DOWN);
  }
}
