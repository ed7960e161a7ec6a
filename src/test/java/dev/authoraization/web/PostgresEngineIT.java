package dev.authoraization.web;

import static dev.authoraization.support.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.support.EngineIT;
import dev.authoraization.support.TestDatabases;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The same engine on a real PostgreSQL instead of H2: migrations, approvals and the audit chain. */
class PostgresEngineIT extends EngineIT {

  @DynamicPropertySource
  static void postgres(DynamicPropertyRegistry registry) {
    String url = TestDatabases.postgresUrl();
    registry.add("spring.datasource.url", () -> url);
    registry.add("spring.datasource.username", () -> "postgres");
    registry.add("spring.datasource.password", () -> "postgres");
  }

  @Test
  void approvedMergeRunsAndTheAuditChainVerifiesOnPostgres() {
    String alice = token("alice", "developer");
    Response parked = post("/api/v1/tool-calls",
        "{\"tool\":\"merge_change\",\"arguments\":{\"repo\":\"demo/webapp\"}}", alice);
    assertThat(parked.status()).isEqualTo(202);
    String id = parked.body().path("approval_id").asString();

    post("/api/v1/approvals/" + id + "/decision",
        "{\"verdict\":\"approve\",\"fingerprint\":\"" + parked.body().path("fingerprint").asString() + "\"}",
        token("admin", "approver"));

    assertThat(get("/api/v1/approvals/" + id + "?wait=10", alice).body().path("state").asString()).isEqualTo("EXECUTED");
    Response audit = get("/api/v1/audit/verify", alice);
    assertThat(audit.body().path("intact").asBoolean()).isTrue();
    assertThat(audit.body().path("checked").asLong()).isGreaterThanOrEqualTo(6);
  }
}
