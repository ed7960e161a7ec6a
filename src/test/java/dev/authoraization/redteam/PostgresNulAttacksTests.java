package dev.authoraization.redteam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.authoraization.audit.AuditEntry;
import dev.authoraization.audit.AuditProperties;
import dev.authoraization.audit.JdbcAuditLog;
import dev.authoraization.call.Caller;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.call.ToolCall;
import dev.authoraization.support.TestDatabases;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * PostgreSQL refuses a NUL character in text; H2 (which the door fuzzing runs on) does not. A NUL
 * from the agent in a field stored as plain text would make the audit append fail, so the attempt
 * would go unrecorded. Found by reading the fuzz results against production's database.
 */
@Tag("redteam")
class PostgresNulAttacksTests {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Caller ALICE = Caller.of("alice", "https://issuer.test", Set.of("developer"));

  @Test
  void onPostgresAnAuditRecordWithANulInPlainTextFailsClosedWhileNulInArgumentsIsStoredEscaped() {
    JdbcAuditLog log = new JdbcAuditLog(TestDatabases.postgres(), AuditProperties.defaults());
    try {
      log.append(AuditEntry.event("call.decided", "d-1").caller(ALICE)
          .tool("read_notes", JSON.createObjectNode().put("repo", "demo/a\0b"))
          .decision("allow", "read-notes", "").outcome("allowed").build());

      assertThatThrownBy(() -> log.append(AuditEntry.event("call.decided", "d-2").caller(ALICE)
          .tool("read\0notes", JSON.createObjectNode()).decision("deny", "default-deny", "unknown_tool")
          .outcome("denied").build()))
          .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AUDIT_UNAVAILABLE));
      assertThat(log.verify().intact()).isTrue();
      assertThat(log.recent(10)).hasSize(1);
    } finally {
      log.close();
    }
  }

  @Test
  void aToolNameOrIdempotencyKeyWithANulIsRefusedAtEveryDoorBeforeThePipeline() {
    for (ToolCallAttempt attempt : new ToolCallAttempt[] {
        () -> new ToolCall("read\0notes", JSON.createObjectNode(), ALICE, "key"),
        () -> new ToolCall("merge_change", JSON.createObjectNode().put("repo", "demo/x"), ALICE, "key\0")}) {
      assertThatThrownBy(attempt::make)
          .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENTS));
    }
  }

  private interface ToolCallAttempt {
    ToolCall make();
  }
}
