package dev.authoraization.cluster;

import static dev.authoraization.support.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The embedded database keeps what the engine confirmed through a SIGKILL (the OOM killer,
 * {@code docker kill}, a power-cycled VM's process): H2 held commits in memory for up to 500 ms
 * before writing them, so an engine killed right after an answer lost what it had just confirmed.
 * One engine process on the default H2 file database, killed and started again.
 */
class EmbeddedDurabilityIT {

  static final String ALICE = token("alice", "developer");
  static final String ADMIN = token("admin", "approver");

  @TempDir
  Path dir;

  /**
   * An approver's yes answered 200, the request it decided, and a session whose row is written just
   * before its id is answered (the last commit before the kill): all there after the restart.
   */
  @Test
  void whatTheEngineConfirmedJustBeforeAKillIsThereAfterTheRestart() throws Exception {
    try (EngineProcess engine = new EngineProcess("durable", dir.resolve("node"), EngineProcess.freePort(), Map.of())) {
      engine.start().awaitReady();
      JsonNode parked = engine.parkMerge(engine.primeDemo(ALICE), ALICE);
      assertThat(engine.approve(parked, ADMIN).status()).isEqualTo(200);
      HttpResponse<String> opened = engine.mcp(ALICE, null, """
          {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
           "capabilities":{},"clientInfo":{"name":"durable","version":"1"}}}""");
      assertThat(opened.statusCode()).isEqualTo(200);
      String session = opened.headers().firstValue("Mcp-Session-Id").orElseThrow();

      engine.kill();
      engine.start().awaitReady();

      JsonNode approval = engine.get("/api/v1/approvals/" + parked.path("approval_id").asString(), ALICE).body();
      assertThat(approval.path("state").asString()).as(approval::toString).isIn("APPROVED", "EXECUTING", "EXECUTED");
      assertThat(approval.path("votes")).hasSize(1);
      HttpResponse<String> listed = engine.mcp(ALICE, session,
          "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
      assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
    }
  }

}
