package dev.authoraization.dependency;

import static dev.authoraization.support.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.authoraization.support.EngineIT;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The engine on its own PostgreSQL (so no other test sees the outage), which the test makes slow
 * (a lock held on the audit table) and then stops and starts again: calls fail closed with a 503
 * naming the database and nothing runs, readiness goes DOWN, and the engine recovers by itself
 * (Hikari reconnects) once PostgreSQL is back on the same port and data directory.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DatabaseOutageIT extends EngineIT {

  static final Path DATA = temporaryDirectory();
  static final int PORT = freePort();
  static EmbeddedPostgres postgres = start();
  static final String READ = "{\"tool\":\"read_notes\",\"arguments\":{\"repo\":\"demo/webapp\"}}";
  static final String MERGE = "{\"tool\":\"merge_change\",\"arguments\":{\"repo\":\"demo/webapp\"}}";
  static final String ALICE = token("alice", "developer");

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", () -> "jdbc:postgresql://localhost:" + PORT + "/postgres");
    registry.add("spring.datasource.username", () -> "postgres");
    registry.add("spring.datasource.password", () -> "postgres");
    registry.add("spring.datasource.hikari.connection-timeout", () -> "1500");
    registry.add("spring.datasource.hikari.validation-timeout", () -> "1000");
    registry.add("engine.audit.append-timeout", () -> "3s");
  }

  @AfterAll
  static void stop() throws IOException {
    postgres.close();
  }

  @Order(1)
  @Test
  void callWhenTheDatabaseIsSlowThenFailsClosedWithinTheAppendTimeoutAndRecovers() throws SQLException {
    assertThat(post("/api/v1/tool-calls", READ, ALICE).status()).isEqualTo(200);
    int ran = tools.executions.get();

    try (Connection blocker = postgres.getPostgresDatabase().getConnection()) {
      blocker.setAutoCommit(false);
      try (Statement s = blocker.createStatement()) {
        s.execute("LOCK TABLE audit_record IN ACCESS EXCLUSIVE MODE");
      }
      long started = System.nanoTime();
      Response slow = post("/api/v1/tool-calls", READ, ALICE);

      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
      assertThat(slow.status()).isEqualTo(503);
      assertThat(slow.body().path("code").asString()).isEqualTo("audit_unavailable");
      assertThat(slow.body().path("dependency").asString()).isEqualTo("database");
      assertThat(slow.body().path("detail").asString()).contains("nothing was executed");
      assertThat(slow.raw().headers().firstValue("Retry-After")).isPresent();
      assertThat(tools.executions.get()).as("no provider call without its audit record").isEqualTo(ran);
      blocker.rollback();
    }

    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(post("/api/v1/tool-calls", READ, ALICE).status()).isEqualTo(200));
  }

  @Order(2)
  @Test
  void callWhenPostgresIsStoppedThen503NamingTheDatabaseReadinessDownAndTheEngineRecoversWhenItIsBack()
      throws IOException {
    Response parked = post("/api/v1/tool-calls", MERGE, ALICE);
    assertThat(parked.status()).isEqualTo(202);
    String approval = parked.body().path("approval_id").asString();
    int ran = tools.executions.get();

    postgres.close();

    Response read = post("/api/v1/tool-calls", READ, ALICE);
    assertThat(read.status()).isEqualTo(503);
    assertThat(read.body().path("dependency").asString()).isEqualTo("database");
    assertThat(read.raw().headers().firstValue("Retry-After")).isPresent();
    Response merge = post("/api/v1/tool-calls", MERGE, ALICE);
    assertThat(merge.status()).isEqualTo(503);
    Response follow = get("/api/v1/approvals/" + approval, ALICE);
    assertThat(follow.status()).as(follow.raw().body()).isEqualTo(503);
    assertThat(follow.body().path("code").asString()).isEqualTo("dependency_unavailable");
    assertThat(follow.body().path("dependency").asString()).isEqualTo("database");
    assertThat(follow.body().path("detail").asString()).startsWith("database unavailable: ");
    assertThat(follow.raw().headers().firstValue("Retry-After")).hasValue("5");
    for (Response failed : new Response[] {read, merge, follow}) {
      assertThat(failed.raw().body()).doesNotContain("Exception").doesNotContain("SQL").doesNotContain("jdbc:")
          .doesNotContain("\tat ");
    }
    assertThat(tools.executions.get()).as("nothing ran").isEqualTo(ran);
    Response readiness = get("/actuator/health/readiness", null);
    assertThat(readiness.status()).isEqualTo(503);
    assertThat(readiness.body().path("status").asString()).isEqualTo("DOWN");
    assertThat(get("/actuator/health/liveness", null).status()).as("no restart needed").isEqualTo(200);

    postgres = start();

    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> assertThat(get("/actuator/health/readiness", null).status()).isEqualTo(200));
    assertThat(post("/api/v1/tool-calls", READ, ALICE).status()).isEqualTo(200);
    assertThat(get("/api/v1/approvals/" + approval, ALICE).body().path("state").asString()).isEqualTo("PENDING");
    Response audit = get("/api/v1/audit/verify", ALICE);
    assertThat(audit.body().path("intact").asBoolean()).as(audit.raw().body()).isTrue();
  }

  private static EmbeddedPostgres start() {
    try {
      return EmbeddedPostgres.builder().setDataDirectory(DATA).setCleanDataDirectory(false).setPort(PORT).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the outage test's PostgreSQL", e);
    }
  }

  private static Path temporaryDirectory() {
    try {
      Path dir = Files.createTempDirectory("engine-outage-pg");
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
