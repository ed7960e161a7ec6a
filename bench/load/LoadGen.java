// The engine's load harness (bench/load/run runs it): starts a real engine process, then measures
// gateway overhead against the sandbox forge called directly, approval wake-up latency, and
// start-up time. Loopback only; every loop is bounded by a duration or a count.
//
//   java -cp nimbus-jose-jwt.jar LoadGen.java <engine-exec.jar> <work-dir> [jdbc-url user password]

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class LoadGen {

  static final String ISSUER = "https://load.test";
  static final String AUDIENCE = "authoraization-engine";
  static final Duration WARM_UP = Duration.ofSeconds(Long.getLong("warmup", 5));
  static final Duration MEASURE = Duration.ofSeconds(Long.getLong("measure", 15));
  static final int WAKE_UPS = Integer.getInteger("wakeups", 40);
  static final HttpClient HTTP = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor())
      .connectTimeout(Duration.ofSeconds(5)).build();

  static KeyPair keys;
  static String base;

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args[0]).toAbsolutePath();
    Path dir = Path.of(args[1]).toAbsolutePath();
    Files.createDirectories(dir);
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    keys = generator.generateKeyPair();
    Path publicKey = dir.resolve("issuer.pem");
    Files.writeString(publicKey, "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    base = "http://127.0.0.1:" + port;
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-Xmx512m", "-jar", jar.toString(), "--server.port=" + port,
        "--engine.identity.issuers[0].uri=" + ISSUER,
        "--engine.identity.issuers[0].public-key-location=" + publicKey.toUri(),
        "--engine.identity.issuers[0].audiences[0]=" + AUDIENCE,
        "--engine.github.api-url=http://localhost:" + port + "/sandbox/github",
        "--engine.approvals.rest-decisions=true",
        "--engine.approvals.ciba.embedded=false",
        "--logging.level.root=WARN"));
    String mode = "H2 (embedded default)";
    if (args.length >= 4) {
      command.addAll(List.of("--spring.datasource.url=" + args[2], "--spring.datasource.username=" + args[3],
          "--spring.datasource.password=" + (args.length > 4 ? args[4] : "")));
      mode = "PostgreSQL";
    }
    long started = System.nanoTime();
    Process engine = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("engine.log").toFile()).start();
    Runtime.getRuntime().addShutdownHook(new Thread(engine::destroyForcibly));
    try {
      awaitReady(engine, Duration.ofSeconds(120));
      double startup = (System.nanoTime() - started) / 1e9;
      System.out.printf("== mode: %s%n", mode);
      System.out.printf("start-up to ready (process start -> /actuator/health 200): %.1f s%n", startup);
      run(dir);
    } finally {
      engine.destroy();
      if (!engine.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        engine.destroyForcibly();
      }
    }
  }

  static void run(Path dir) throws Exception {
    String alice = token("alice", "developer");
    String admin = token("admin", "approver");
    String installation = installationToken(dir);
    HttpRequest viaGateway = HttpRequest.newBuilder(URI.create(base + "/api/v1/tool-calls"))
        .header("Authorization", "Bearer " + alice).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"tool\":\"list_issues\",\"arguments\":{\"owner\":\"demo\",\"repo\":\"webapp\"}}")).build();
    HttpRequest direct = HttpRequest.newBuilder(URI.create(base + "/sandbox/github/repos/demo/webapp/issues"))
        .header("Authorization", "Bearer " + installation).header("Accept", "application/vnd.github+json").GET().build();
    check(viaGateway, 200);
    check(direct, 200);
    for (int concurrency : new int[] {1, 32}) {
      Stats forge = measure(direct, concurrency);
      Stats gateway = measure(viaGateway, concurrency);
      System.out.printf("list_issues, concurrency %d: sandbox direct %.0f req/s p50 %.2f ms p99 %.2f ms (errors %d)"
              + " | via gateway %.0f req/s p50 %.2f ms p99 %.2f ms (errors %d)"
              + " | throughput ratio %.2f, added p50 %.2f ms, added p99 %.2f ms%n",
          concurrency, forge.throughput, forge.p50, forge.p99, forge.errors,
          gateway.throughput, gateway.p50, gateway.p99, gateway.errors,
          gateway.throughput / forge.throughput, gateway.p50 - forge.p50, gateway.p99 - forge.p99);
    }
    wakeUps(alice, admin);
  }

  record Stats(double throughput, double p50, double p99, int errors) {}

  /** Closed loop: {@code concurrency} workers send back to back; warm-up, then a measured window. */
  static Stats measure(HttpRequest request, int concurrency) throws Exception {
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger errors = new AtomicInteger();
    long warmEnd = System.nanoTime() + WARM_UP.toNanos();
    long end = warmEnd + MEASURE.toNanos();
    try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < concurrency; i++) {
        workers.submit(() -> {
          while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            int status;
            try {
              status = HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException | InterruptedException e) {
              status = -1;
            }
            long t1 = System.nanoTime();
            if (t0 >= warmEnd && t1 <= end) {
              if (status == 200) {
                latencies.add(t1 - t0);
              } else {
                errors.incrementAndGet();
              }
            }
          }
          return null;
        });
      }
    }
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    return new Stats(sorted.size() / (double) MEASURE.toSeconds(), percentile(sorted, 50), percentile(sorted, 99),
        errors.get());
  }

  /**
   * Decision → waiting long poll returns: a caller long-polls a parked merge, an approver denies it
   * (so nothing runs: pure wake-up), timed from just before the decision is sent.
   */
  static void wakeUps(String alice, String admin) throws Exception {
    String primed = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/sandbox/prime-demo"))
        .header("Authorization", "Bearer " + alice).POST(HttpRequest.BodyPublishers.noBody()).build()).body();
    String pull = field(primed, "pull_number");
    List<Long> latencies = new ArrayList<>();
    for (int i = 0; i < WAKE_UPS; i++) {
      String parked = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/tool-calls"))
          .header("Authorization", "Bearer " + alice).header("Content-Type", "application/json")
          .header("Idempotency-Key", UUID.randomUUID().toString())
          .POST(HttpRequest.BodyPublishers.ofString("{\"tool\":\"merge_pull_request\",\"arguments\":{\"owner\":\"demo\","
              + "\"repo\":\"webapp\",\"pull_number\":" + pull + "}}")).build()).body();
      String id = field(parked, "approval_id");
      String fingerprint = field(parked, "fingerprint");
      CompletableFuture<HttpResponse<String>> poll = HTTP.sendAsync(
          HttpRequest.newBuilder(URI.create(base + "/api/v1/approvals/" + id + "?wait=30"))
              .header("Authorization", "Bearer " + alice).GET().build(), HttpResponse.BodyHandlers.ofString());
      Thread.sleep(200); // let the long poll park (a harness, not a test: nothing to wait on)
      long t0 = System.nanoTime();
      HTTP.sendAsync(HttpRequest.newBuilder(URI.create(base + "/api/v1/approvals/" + id + "/decision"))
          .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"verdict\":\"deny\",\"reason\":\"load test\",\"fingerprint\":\""
              + fingerprint + "\"}")).build(), HttpResponse.BodyHandlers.discarding());
      HttpResponse<String> answer = poll.get(30, java.util.concurrent.TimeUnit.SECONDS);
      long t1 = System.nanoTime();
      if (!answer.body().contains("DENIED")) {
        throw new IllegalStateException("long poll answered " + answer.body());
      }
      latencies.add(t1 - t0);
    }
    Collections.sort(latencies);
    System.out.printf("approval wake-up (deny sent -> parked long poll answers), %d runs: p50 %.2f ms p99 %.2f ms%n",
        latencies.size(), percentile(latencies, 50), percentile(latencies, 99));
  }

  static double percentile(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index))) / 1e6;
  }

  static String token(String subject, String... roles) throws Exception {
    Instant now = Instant.now();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("load").build(),
        new JWTClaimsSet.Builder().issuer(ISSUER).subject(subject).audience(AUDIENCE).issueTime(Date.from(now))
            .expirationTime(Date.from(now.plusSeconds(3600))).jwtID(UUID.randomUUID().toString())
            .claim("roles", List.of(roles)).build());
    jwt.sign(new RSASSASigner(keys.getPrivate()));
    return jwt.serialize();
  }

  /** An installation token from the sandbox, bought with an App JWT signed by the sandbox App's key. */
  static String installationToken(Path dir) throws Exception {
    String pem = Files.readString(dir.resolve("data/sandbox/app-private-key.pem"));
    byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
    Instant now = Instant.now();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).build(),
        new JWTClaimsSet.Builder().issuer("1").issueTime(Date.from(now.minusSeconds(30)))
            .expirationTime(Date.from(now.plusSeconds(540))).build());
    jwt.sign(new RSASSASigner(key));
    String body = send(HttpRequest.newBuilder(URI.create(base + "/sandbox/github/app/installations/1/access_tokens"))
        .header("Authorization", "Bearer " + jwt.serialize()).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build()).body();
    return field(body, "token");
  }

  static void awaitReady(Process engine, Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    HttpRequest health = HttpRequest.newBuilder(URI.create(base + "/actuator/health")).GET().build();
    while (System.nanoTime() < deadline) {
      if (!engine.isAlive()) {
        throw new IllegalStateException("the engine exited; see engine.log");
      }
      try {
        if (HTTP.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("the engine was not ready within " + limit);
  }

  static void check(HttpRequest request, int expected) throws Exception {
    HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != expected) {
      throw new IllegalStateException(request.uri() + " answered " + r.statusCode() + ": " + r.body());
    }
  }

  static HttpResponse<String> send(HttpRequest request) throws Exception {
    HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException(request.uri() + " answered " + r.statusCode() + ": " + r.body());
    }
    return r;
  }

  /** A top-level string or number field of a JSON object (enough for these few answers). */
  static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*(\"([^\"]*)\"|([0-9]+))").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("no " + name + " in " + json);
    }
    return m.group(2) != null ? m.group(2) : m.group(3);
  }
}
