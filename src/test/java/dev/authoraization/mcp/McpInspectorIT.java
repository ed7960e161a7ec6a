package dev.authoraization.mcp;

import static dev.authoraization.support.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.authoraization.support.EngineIT;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The MCP Inspector's command line (npm {@code @modelcontextprotocol/inspector} 2.12.0, installed
 * from the committed lockfile by {@code src/test/mcp-inspector/install.sh}) against the engine:
 * a real MCP client that is not ours.
 */
class McpInspectorIT extends EngineIT {

  static final Path INSPECTOR = Path.of("src/test/mcp-inspector");
  static final Path LAUNCHER = INSPECTOR.resolve("node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js");

  static Path node;

  /** The Inspector's HOME: no stored OAuth state from the developer's own use of it. */
  @TempDir
  static Path home;

  @BeforeAll
  static void findNode() {
    node = onPath("node").orElseGet(() -> fail("McpInspectorIT needs node (22.19+ recommended) on the PATH; "
        + "install Node.js and npm, then run the build again."));
    if (!Files.isRegularFile(LAUNCHER)) {
      fail("The MCP Inspector is not installed at " + LAUNCHER.toAbsolutePath()
          + "; run src/test/mcp-inspector/install.sh (Maven does it in pre-integration-test).");
    }
  }

  record Run(int exitCode, String stdout, String stderr) {
    JsonNode json() {
      return JSON.readTree(stdout);
    }
  }

  @Test
  void inspectorListsTheToolsTheCallerMayUse() throws Exception {
    Run run = inspector(token("inspector-dev", "developer"), "--method", "tools/list");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.json().path("tools").findValuesAsString("name"))
        .containsExactlyInAnyOrder("read_notes", "merge_change", McpTools.STATUS_TOOL);
  }

  @Test
  void inspectorCallsAnAllowedToolAndGetsItsResult() throws Exception {
    Run run = inspector(token("inspector-dev", "developer"), "--method", "tools/call", "--tool-name", "read_notes",
        "--tool-args-json", "{\"repo\":\"demo/webapp\"}");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    JsonNode result = run.json();
    assertThat(result.path("isError").asBoolean()).isFalse();
    assertThat(result.path("structuredContent").path("repo").asString()).isEqualTo("demo/webapp");
    assertThat(JSON.readTree(result.path("content").get(0).path("text").asString()).path("tool").asString())
        .isEqualTo("read_notes");
  }

  @Test
  void inspectorWithoutATokenStopsAtTheOAuthChallenge() throws Exception {
    Run run = inspector(null, "--method", "tools/list");

    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isEqualTo(3);
    assertThat(run.stdout() + run.stderr()).contains("auth_required");
  }

  private Run inspector(@Nullable String bearer, String... method) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(node.toString(), LAUNCHER.toAbsolutePath().toString(), "--cli",
        "http://localhost:" + port + "/mcp", "--transport", "http"));
    if (bearer != null) {
      command.addAll(List.of("--header", "Authorization: Bearer " + bearer));
    }
    command.addAll(List.of(method));
    Path out = Files.createTempFile("inspector", ".out");
    Path err = Files.createTempFile("inspector", ".err");
    try {
      ProcessBuilder builder = new ProcessBuilder(command).directory(INSPECTOR.toFile())
          .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(
              new File("/dev/null")));
      builder.environment().put("HOME", home.toString());
      builder.environment().put("CI", "true");
      Process process = builder.start();
      if (!process.waitFor(90, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail("The MCP Inspector did not finish within 90 s: " + Files.readString(err));
      }
      return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static Optional<Path> onPath(String program) {
    for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(directory, program);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
