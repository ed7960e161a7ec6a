package dev.authoraization.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.authoraization.support.RawMcp;
import dev.authoraization.support.TestTokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real engine process ({@code java -jar target/...-exec.jar}, built in the package phase
 * before failsafe runs) on a free port, in a working directory of its own (its ./data), with
 * the test issuer trusted. Killed by {@link #kill()} or, at the latest, when the test JVM exits.
 */
final class EngineProcess implements AutoCloseable {

  static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  final String name;
  final Path dir;
  final int port;
  private final List<String> arguments;
  private Process process;

  EngineProcess(String name, Path dir, int port, Map<String, String> properties) {
    this.name = name;
    this.dir = dir;
    this.port = port;
    this.arguments = new ArrayList<>();
    arguments.add("--server.port=" + port);
    arguments.add("--engine.identity.issuers[0].uri=" + TestTokens.ISSUER);
    arguments.add("--engine.identity.issuers[0].public-key-location=" + TestTokens.publicKeyLocation());
    arguments.add("--engine.identity.issuers[0].audiences[0]=" + TestTokens.AUDIENCE);
    // the tests decide approvals through the REST door, which is for tests and the demo only
    arguments.add("--engine.approvals.rest-decisions=true");
    arguments.add("--engine.approvals.ciba.embedded=false");
    properties.forEach((key, value) -> arguments.add("--" + key + "=" + value));
  }

  /** Starts (or restarts, after a kill) the process on the same port, directory and database. */
  EngineProcess start() {
    try {
      Files.createDirectories(dir);
      List<String> command = new ArrayList<>();
      command.add(ProcessHandle.current().info().command().orElseThrow());
      command.addAll(List.of("-Xmx384m", "-XX:TieredStopAtLevel=1", "-jar", jar().toString()));
      command.addAll(arguments);
      process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("engine.log").toFile())).start();
      Process started = process;
      Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Polls health until 200; the deadline is generous because a loaded 2-core machine starts slowly. */
  EngineProcess awaitReady() {
    await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(250)).until(() -> {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited; see " + dir.resolve("engine.log"));
      }
      try {
        return get("/actuator/health/readiness", null).status() == 200;
      } catch (UncheckedIOException notYet) {
        return false;
      }
    });
    return this;
  }

  /** SIGKILL: no shutdown hooks, no graceful stop, as in a crash. */
  void kill() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** SIGTERM: the engine's graceful shutdown; how long the process took to exit. */
  Duration terminate() {
    long started = System.nanoTime();
    process.destroy();
    try {
      if (!process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
        throw new IllegalStateException(name + " did not exit within 120 s of SIGTERM; see " + dir.resolve("engine.log"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return Duration.ofNanos(System.nanoTime() - started);
  }

  /** Waits for the process to end by itself (a start that fails); its exit status. */
  int awaitExit(Duration deadline) {
    try {
      if (!process.waitFor(deadline.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(name + " still runs " + deadline + " later; see " + dir.resolve("engine.log"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    kill();
  }

  record Response(int status, JsonNode body) {}

  /**
   * Long-polls {@code approvalId} on this node and returns once the poll is parked here: it has
   * not been answered within half a second.
   */
  CompletableFuture<Response> parkedPoll(String approvalId, String token, int waitSeconds) {
    CompletableFuture<Response> poll =
        CompletableFuture.supplyAsync(() -> get("/api/v1/approvals/" + approvalId + "?wait=" + waitSeconds, token));
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> !poll.isDone());
    return poll;
  }

  Response get(String path, String token) {
    return send(HttpRequest.newBuilder(uri(path)).GET(), token);
  }

  Response post(String path, String json, String token) {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)), token);
  }

  /** A raw MCP message to this node's {@code /mcp}, in {@code session} when one is given; the HTTP answer as is. */
  HttpResponse<String> mcp(String token, @Nullable String session, String body) {
    try {
      return new RawMcp(uri("/mcp"), token).send(session, body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Sandbox only: a fresh pull request in demo/webapp; its number. */
  int primeDemo(String token) {
    Response primed = post("/api/v1/sandbox/prime-demo", "", token);
    assertThat(primed.status()).as(primed.body()::toString).isEqualTo(201);
    return primed.body().path("pull_number").asInt();
  }

  /** Asks to merge pull request {@code number} of demo/webapp; the 202 body (approval id, fingerprint). */
  JsonNode parkMerge(int number, String token) {
    Response parked = post("/api/v1/tool-calls",
        "{\"tool\":\"merge_pull_request\",\"arguments\":{\"owner\":\"demo\",\"repo\":\"webapp\",\"pull_number\":"
            + number + "}}", token);
    assertThat(parked.status()).as(parked.body()::toString).isEqualTo(202);
    return parked.body();
  }

  /** The pull request as the get_pull_request tool returns it. */
  JsonNode pullRequest(int number, String token) {
    Response r = post("/api/v1/tool-calls", "{\"tool\":\"get_pull_request\",\"arguments\":"
        + "{\"owner\":\"demo\",\"repo\":\"webapp\",\"pull_number\":" + number + "}}", token);
    assertThat(r.status()).as(r.body()::toString).isEqualTo(200);
    return r.body().path("result");
  }

  /** Approves the parked call's exact fingerprint through the REST decision endpoint. */
  Response approve(JsonNode parked, String token) {
    return post("/api/v1/approvals/" + parked.path("approval_id").asString() + "/decision",
        "{\"verdict\":\"approve\",\"fingerprint\":\"" + parked.path("fingerprint").asString() + "\"}", token);
  }

  String baseUrl() {
    return "http://localhost:" + port;
  }

  private URI uri(String path) {
    return URI.create(baseUrl() + path);
  }

  private static Response send(HttpRequest.Builder request, String token) {
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    request.timeout(Duration.ofSeconds(60));
    try {
      HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode body = response.body().isBlank() || !response.headers().firstValue("Content-Type").orElse("").contains("json")
          ? JSON.nullNode() : JSON.readTree(response.body());
      return new Response(response.statusCode(), body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Path jar() {
    Path jar = Path.of("target", "authoraization-engine-0.1.0-SNAPSHOT-exec.jar").toAbsolutePath();
    if (!Files.exists(jar)) {
      throw new IllegalStateException("build the jar first (mvn package): " + jar);
    }
    return jar;
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
