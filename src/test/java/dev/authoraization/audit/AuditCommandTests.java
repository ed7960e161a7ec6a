package dev.authoraization.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.support.TestDatabases;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class AuditCommandTests {

  final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

  @Test
  void verifyOnAnIntactChainPrintsTheCountAndExitsZero() {
    DataSource ds = TestDatabases.h2();
    try (JdbcAuditLog log = new JdbcAuditLog(ds, AuditProperties.defaults())) {
      for (int i = 0; i < 3; i++) {
        log.append(JdbcAuditLogTests.decided("d-" + i, "github.list_issues"));
      }

      int exit = AuditCommand.execute(log, List.of("verify"), out);

      assertThat(exit).isZero();
      assertThat(output()).isEqualTo("audit chain intact: 3 records checked");
    }
  }

  @Test
  void verifyOnATamperedChainNamesTheRecordAndExitsOne() {
    DataSource ds = TestDatabases.h2();
    try (JdbcAuditLog log = new JdbcAuditLog(ds, AuditProperties.defaults())) {
      for (int i = 0; i < 3; i++) {
        log.append(JdbcAuditLogTests.decided("d-" + i, "github.list_issues"));
      }
      JdbcAuditLogTests.sql(ds, "UPDATE audit_record SET effect = 'deny' WHERE seq = 2");

      int exit = AuditCommand.execute(log, List.of("verify"), out);

      assertThat(exit).isEqualTo(1);
      assertThat(output())
          .isEqualTo("audit chain BROKEN at record 2: hash mismatch: record was altered");
    }
  }

  @Test
  void verifyThatCannotReadTheLogExitsTwo() {
    AuditLog unreadable = new AuditLog() {
      @Override
      public AuditRecord append(AuditEntry entry) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Verification verify() {
        throw new GatewayException(ErrorCode.AUDIT_UNAVAILABLE, "The audit log could not be read.");
      }

      @Override
      public List<AuditRecord> recent(int limit) {
        return List.of();
      }
    };

    assertThat(AuditCommand.execute(unreadable, List.of("verify"), out)).isEqualTo(2);
    assertThat(output()).startsWith("audit chain NOT CHECKED");
  }

  @Test
  void unknownSubcommandPrintsUsage() {
    int exit = AuditCommand.run(new String[] {"audit", "rewrite"}, out);

    assertThat(exit).isEqualTo(2);
    assertThat(output()).startsWith("usage: audit verify");
  }

  @Test
  void brokenVerificationWithoutARecordStillPrints() {
    AuditLog odd = new AuditLog() {
      @Override
      public AuditRecord append(AuditEntry entry) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Verification verify() {
        return new Verification(false, 0, Optional.empty(), "head mismatch");
      }

      @Override
      public List<AuditRecord> recent(int limit) {
        return List.of();
      }
    };

    assertThat(AuditCommand.execute(odd, List.of("verify"), out)).isEqualTo(1);
    assertThat(output()).isEqualTo("audit chain BROKEN at record ?: head mismatch");
  }

  String output() {
    return printed.toString(StandardCharsets.UTF_8).strip();
  }
}
