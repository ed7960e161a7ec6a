package dev.authoraization.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start that fails must end the process with a non-zero status, so that whatever supervises it
 * (systemd's {@code Restart=on-failure}, Kubernetes, a script) sees the failure. The MCP SDK 2.1.0
 * starts its session sweeper on a thread that is not a daemon while the context is still being
 * built, so a failed start used to leave the JVM running, serving nothing, until someone killed it.
 */
class FailedStartIT {

  @TempDir
  Path dir;

  @Test
  void aStartThatFailsEndsTheProcessWithStatusOneAfterSayingWhy() throws Exception {
    Path missing = dir.resolve("no-such-policy.yaml");
    try (EngineProcess engine = new EngineProcess("failing", dir.resolve("node"), EngineProcess.freePort(),
        Map.of("engine.policy.path", missing.toString())).start()) {

      assertThat(engine.awaitExit(Duration.ofSeconds(180))).isEqualTo(1);
      assertThat(Files.readString(dir.resolve("node").resolve("engine.log")))
          .contains("Application run failed", missing.toString());
    }
  }

  @Test
  void aPostgresThatAcceptsButNeverAnswersEndsTheStartInsteadOfHangingIt() throws Exception {
    // the kernel completes the handshake for a listening socket nobody accepts on: a server that is
    // there and never answers, as a hung PostgreSQL or a proxy whose backend is gone
    try (ServerSocket silent = new ServerSocket(0);
        EngineProcess engine = new EngineProcess("silent-db", dir.resolve("node"), EngineProcess.freePort(), Map.of(
            "spring.datasource.url", "jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/engine",
            "spring.datasource.username", "engine", "spring.datasource.password", "unused")).start()) {

      assertThat(engine.awaitExit(Duration.ofSeconds(180))).isEqualTo(1);
      assertThat(Files.readString(dir.resolve("node").resolve("engine.log"))).contains("Application run failed");
    }
  }

  @Test
  void aMisspelledSettingEndsTheStartNamingItAndTheSettingMeant() throws Exception {
    try (EngineProcess engine = new EngineProcess("misspelled", dir.resolve("node"), EngineProcess.freePort(),
        Map.of("engine.identity.embeded.enabled", "false")).start()) {

      assertThat(engine.awaitExit(Duration.ofSeconds(180))).isEqualTo(1);
      assertThat(Files.readString(dir.resolve("node").resolve("engine.log"))).contains("APPLICATION FAILED TO START",
          "engine.identity.embeded.enabled", "did you mean engine.identity.embedded.enabled?")
          .doesNotContain("Started EngineApplication");
    }
  }

  @Test
  void aDataDirectoryThatCannotBeCreatedEndsTheStartSayingWhereAndWhatToDo() throws Exception {
    Files.createDirectories(dir.resolve("node"));
    Files.writeString(dir.resolve("node").resolve("data"), "a file where the engine keeps its data directory");
    try (EngineProcess engine = new EngineProcess("no-data-dir", dir.resolve("node"), EngineProcess.freePort(),
        Map.of()).start()) {

      assertThat(engine.awaitExit(Duration.ofSeconds(180))).isEqualTo(1);
      assertThat(Files.readString(dir.resolve("node").resolve("engine.log"))).contains("APPLICATION FAILED TO START",
          "The embedded database could not be opened: Error while creating file",
          "relative to the directory the engine was started from (" + dir.resolve("node").toAbsolutePath() + ")",
          "Start the engine from a directory it may write to",
          "--spring.datasource.url=jdbc:h2:file:/var/lib/engine/engine;MODE=PostgreSQL;", "WRITE_DELAY=0");
    }
  }

  /** Another process holds the sandbox: an engine started from the same directory on another port. */
  @Test
  void aSandboxAnotherEngineWritesEndsTheStartNamingThatProcessAndWhatToDo() throws Exception {
    Path repos = Files.createDirectories(dir.resolve("node/data/sandbox/repos"));
    try (FileChannel owner = FileChannel.open(repos.resolve(".engine-owner"), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
        FileLock held = owner.lock()) {
      owner.write(StandardCharsets.UTF_8.encode("process 4242"));
      try (EngineProcess engine = new EngineProcess("sandbox-taken", dir.resolve("node"), EngineProcess.freePort(),
          Map.of()).start()) {

        assertThat(engine.awaitExit(Duration.ofSeconds(180))).isEqualTo(1);
        assertThat(Files.readString(dir.resolve("node").resolve("engine.log"))).contains("APPLICATION FAILED TO START",
            "The sandbox forge's repositories under " + repos.toAbsolutePath().normalize()
                + " are in use by another engine (process 4242)",
            "Stop the other engine, or start this one from another directory or with its own engine.sandbox.data-dir")
            .doesNotContain("Started EngineApplication");
      }
    }
  }

  @Test
  void aPortInUseEndsTheStartBeforeAnythingIsMadeOrPrinted() throws Exception {
    try (ServerSocket taken = new ServerSocket(0);
        EngineProcess engine = new EngineProcess("port-taken", dir.resolve("node"), taken.getLocalPort(), Map.of())
            .start()) {

      assertThat(engine.awaitExit(Duration.ofSeconds(180))).isEqualTo(1);
      assertThat(Files.readString(dir.resolve("node").resolve("engine.log")))
          .contains("Port " + taken.getLocalPort() + " was already in use")
          .doesNotContain("Migrating schema", "demo credentials", "Started EngineApplication");
      assertThat(dir.resolve("node").resolve("data")).doesNotExist();
    }
  }
}
