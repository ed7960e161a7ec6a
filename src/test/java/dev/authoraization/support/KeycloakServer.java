package dev.authoraization.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Keycloak (the distribution unpacked from Maven Central by the build into
 * {@code target/keycloak}), started once per test JVM on free loopback ports with the realm of
 * {@code src/test/resources/keycloak/realm-engine.json}, and stopped with SIGTERM when the JVM
 * exits. Its CIBA authentication channel points at a {@link KeycloakDevice} that plays the
 * approver's phone. A second realm, {@code upstream} ({@code realm-upstream.json}), is the engine
 * realm's OIDC identity provider {@code upstream} with {@code storeToken}, for the broker token
 * tests. The admin password and the client secret are generated per run. Output goes
 * to {@code target/keycloak.log}. Facts behind the flags: shared/notes/keycloak-ciba.md.
 */
public final class KeycloakServer {

  public static final String REALM = "engine";
  public static final String CLIENT_ID = "authoraization-engine";
  /** The same engine registered in CIBA ping mode; its notification endpoint is {@link #pingEngineUrl()}. */
  public static final String PING_CLIENT_ID = "authoraization-engine-ping";
  private static final Duration START_DEADLINE = Duration.ofSeconds(300);

  private static volatile KeycloakServer instance;

  private final Process process;
  private final int port;
  private final String clientSecret;
  private final KeycloakDevice device;
  private final String userPassword;
  private final int pingEnginePort;

  private KeycloakServer(Process process, int port, String clientSecret, KeycloakDevice device, String userPassword,
      int pingEnginePort) {
    this.pingEnginePort = pingEnginePort;
    this.process = process;
    this.port = port;
    this.clientSecret = clientSecret;
    this.device = device;
    this.userPassword = userPassword;
  }

  /** The running Keycloak; starts it on first use (25–70 s). */
  public static KeycloakServer get() {
    KeycloakServer running = instance;
    if (running != null) {
      return running;
    }
    synchronized (KeycloakServer.class) {
      if (instance == null) {
        instance = start();
      }
      return instance;
    }
  }

  /** The realm's issuer, exactly as it appears in {@code iss}. */
  public String issuer() {
    return "http://127.0.0.1:" + port + "/realms/" + REALM;
  }

  /** Where Keycloak listens, e.g. {@code http://127.0.0.1:PORT}. */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** The password of {@code carol} in the {@code upstream} realm, generated per run. */
  public String upstreamUserPassword() {
    return userPassword;
  }

  /**
   * The port reserved at start for the one engine that receives the pings of {@link #PING_CLIENT_ID}:
   * the realm is imported once, so its notification endpoint is fixed before any engine starts.
   */
  public int pingEnginePort() {
    return pingEnginePort;
  }

  /** That engine's base URL; the client's notification endpoint is this plus {@code /ciba/notify}. */
  public String pingEngineUrl() {
    return "http://127.0.0.1:" + pingEnginePort;
  }

  public String clientSecret() {
    return clientSecret;
  }

  public KeycloakDevice device() {
    return device;
  }

  private static KeycloakServer start() {
    Path home = home();
    Path kc = home.resolve("bin/kc.sh");
    if (!Files.isRegularFile(kc)) {
      throw new IllegalStateException("No Keycloak at " + home + ": run the tests through Maven (verify), whose "
          + "pre-integration-test phase unpacks org.keycloak:keycloak-quarkus-dist there, or set -Dkeycloak.home");
    }
    kc.toFile().setExecutable(true);
    int port = freePort();
    int management = freePort();
    String clientSecret = random();
    String brokerSecret = random();
    KeycloakDevice device = KeycloakDevice.start("http://127.0.0.1:" + port + "/realms/" + REALM);
    String userPassword = random();
    int pingEnginePort = freePort();
    writeRealm(home, "realm-engine.json", Map.of("${CLIENT_SECRET}", clientSecret, "${KEYCLOAK_URL}",
        "http://127.0.0.1:" + port, "${BROKER_SECRET}", brokerSecret,
        "${PING_ENGINE_URL}", "http://127.0.0.1:" + pingEnginePort));
    writeRealm(home, "realm-upstream.json", Map.of("${KEYCLOAK_URL}", "http://127.0.0.1:" + port,
        "${BROKER_SECRET}", brokerSecret, "${USER_PASSWORD}", userPassword));
    Path log = Path.of("target", "keycloak.log").toAbsolutePath();
    ProcessBuilder builder = new ProcessBuilder(kc.toString(), "start-dev", "--db=dev-mem",
        "--http-host=127.0.0.1", "--http-port=" + port, "--http-management-port=" + management,
        "--health-enabled=true", "--import-realm",
        "--spi-ciba-auth-channel--ciba-http-auth-channel--http-authentication-channel-uri=" + device.uri())
        .directory(home.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin-" + random().substring(0, 8));
    env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", random());
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("JAVA_OPTS_APPEND", "--add-opens=java.base/java.lang=ALL-UNNAMED");
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start Keycloak from " + kc, e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(process, device), "keycloak-stop"));
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    URI ready = URI.create("http://127.0.0.1:" + management + "/health/ready");
    await("Keycloak ready (see " + log + ")").atMost(START_DEADLINE).pollInterval(Duration.ofSeconds(1))
        .ignoreExceptionsInstanceOf(IOException.class)
        .until(() -> {
          if (!process.isAlive()) {
            throw new IllegalStateException("Keycloak exited with " + process.exitValue() + "; see " + log);
          }
          return http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        });
    return new KeycloakServer(process, port, clientSecret, device, userPassword, pingEnginePort);
  }

  private static Path home() {
    String configured = System.getProperty("keycloak.home", "");
    return (configured.isBlank() ? Path.of("target", "keycloak", "keycloak-26.4.7") : Path.of(configured))
        .toAbsolutePath();
  }

  private static void writeRealm(Path home, String file, Map<String, String> values) {
    try (InputStream in = KeycloakServer.class.getResourceAsStream("/keycloak/" + file)) {
      if (in == null) {
        throw new IllegalStateException("keycloak/" + file + " is missing from the test classpath");
      }
      String realm = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      for (Map.Entry<String, String> value : values.entrySet()) {
        realm = realm.replace(value.getKey(), value.getValue());
      }
      Path imports = Files.createDirectories(home.resolve("data/import"));
      Files.writeString(imports.resolve(file), realm);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void stop(Process process, KeycloakDevice device) {
    // SIGTERM to Keycloak's JVM itself as well as to kc.sh, which does not always forward it
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    device.stop();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String random() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
