package dev.authoraization.cluster;

import static dev.authoraization.support.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.support.TestDatabases;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import tools.jackson.databind.JsonNode;

/**
 * A real engine process on PostgreSQL, SIGKILLed at the points reachable from outside and
 * restarted on the same database: no approval is lost, nothing runs twice, every request ends
 * final with its audit record, and the client resumes by approval id.
 */
class CrashRecoveryIT {

  static final String ALICE = token("alice", "developer");
  static final String ADMIN = token("admin", "approver");

  static EngineProcess engine;
  static JdbcTemplate db;

  @BeforeAll
  static void start() throws Exception {
    String url = TestDatabases.postgresUrl();
    db = new JdbcTemplate(new DriverManagerDataSource(url, "postgres", "postgres"));
    int port = EngineProcess.freePort();
    engine = new EngineProcess("crashy", Files.createTempDirectory("crash"), port, Map.of(
        "spring.datasource.url", url,
        "spring.datasource.username", "postgres",
        "spring.datasource.password", "postgres",
        "engine.github.api-url", "http://localhost:" + port + "/sandbox/github",
        // one node: a run EXECUTING for 3 s was interrupted by the crash (a restart takes longer)
        "engine.cluster.executing-grace", "PT3S")).start().awaitReady();
  }

  @AfterAll
  static void stop() {
    if (engine != null) {
      engine.kill();
    }
  }

  @Test
  void killedWhileTheRequestIsPendingThenTheApprovalSurvivesAndRunsOnceAfterRestart() {
    int number = engine.primeDemo(ALICE);
    JsonNode parked = engine.parkMerge(number, ALICE);
    String id = parked.path("approval_id").asString();

    engine.kill();
    engine.start().awaitReady();

    assertThat(engine.get("/api/v1/approvals/" + id, ALICE).body().path("state").asString()).isEqualTo("PENDING");
    assertThat(engine.approve(parked, ADMIN).status()).isEqualTo(200);
    JsonNode done = engine.get("/api/v1/approvals/" + id + "?wait=30", ALICE).body();
    assertThat(done.path("state").asString()).isEqualTo("EXECUTED");
    assertThat(engine.pullRequest(number, ALICE).path("merged").asBoolean()).isTrue();
    assertThat(count("approval.claimed", id)).isEqualTo(1);
    assertThat(count("call.executed", id)).isEqualTo(1);
  }

  /**
   * SIGTERM with a caller parked on a long poll: the graceful shutdown answers the poll at once
   * with the request's state (it stays pending, in the database), instead of waiting for the poll's
   * two minutes, and the engine exits; after a restart the request is decided and runs once.
   */
  @Test
  void stoppedGracefullyWhileACallerLongPollsThenThePollIsAnsweredPendingAtOnceAndNothingIsLost() throws Exception {
    int number = engine.primeDemo(ALICE);
    JsonNode parked = engine.parkMerge(number, ALICE);
    String id = parked.path("approval_id").asString();
    CompletableFuture<EngineProcess.Response> poll = engine.parkedPoll(id, ALICE, 120);

    Duration stopping = engine.terminate();

    EngineProcess.Response answered = poll.get(10, TimeUnit.SECONDS);
    assertThat(answered.status()).isEqualTo(200);
    assertThat(answered.body().path("state").asString()).isEqualTo("PENDING");
    // below the 30 s a graceful shutdown waits for requests in flight before it gives up on them
    assertThat(stopping).as("not held by the parked poll").isLessThan(Duration.ofSeconds(25));
    engine.start().awaitReady();
    assertThat(engine.approve(parked, ADMIN).status()).isEqualTo(200);
    assertThat(engine.get("/api/v1/approvals/" + id + "?wait=30", ALICE).body().path("state").asString())
        .isEqualTo("EXECUTED");
    assertThat(count("call.executed", id)).isEqualTo(1);
  }

  @Test
  void killedRightAfterTheApprovalThenTheRequestEndsFinalAndMergedOnlyIfExecuted() {
    int number = engine.primeDemo(ALICE);
    JsonNode parked = engine.parkMerge(number, ALICE);
    String id = parked.path("approval_id").asString();
    assertThat(engine.approve(parked, ADMIN).status()).isEqualTo(200);

    engine.kill(); // the run starts on approval: the kill lands before, during or after it
    engine.start().awaitReady();

    JsonNode after = engine.get("/api/v1/approvals/" + id + "?wait=30", ALICE).body();
    String state = after.path("state").asString();
    assertThat(state).isIn("EXECUTED", "FAILED");
    assertThat(engine.pullRequest(number, ALICE).path("merged").asBoolean()).isEqualTo(state.equals("EXECUTED"));
    if (state.equals("FAILED")) {
      assertThat(after.path("reason").asString()).isEqualTo("outcome_unknown");
    }
    assertThat(count("approval.claimed", id)).isGreaterThanOrEqualTo(1);
    assertThat(count("call.executed", id)).isLessThanOrEqualTo(1);
    assertThat(count("call.executed", id) + count("call.failed", id)).isEqualTo(1);
  }





  private static int count(String event, String approvalId) {
    return db.queryForObject("SELECT count(*) FROM audit_record WHERE event = ? AND approval_id = ?",
        Integer.class, event, approvalId);
  }
}
