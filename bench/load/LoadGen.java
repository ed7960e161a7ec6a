// The engine's load harness (bench/load/run runs it): starts real engine processes, then measures
// gateway overhead against the sandbox forge called directly, approval wake-up latency, and
// start-up time. Loopback only; every loop is bounded by a duration or a count.
//
// By default (-Dforge=process) the forge is a second engine process (H2, sandbox on), standing in
// for GitHub, and the engine under test has its sandbox off and reaches the forge as GitHub with
// the sandbox App's key, so a gateway call pays for its own work and waits for the forge like it
// would for api.github.com; -Dforge=inside runs the one process that is gateway and forge at once.
// -Dcpus.forge=LIST / -Dcpus.engine=LIST start each process under `taskset -c LIST`.
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
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class LoadGen {

  static final String ISSUER = "https://load.test";
  static final String AUDIENCE = "authoraization-engine";
  static final Duration WARM_UP = Duration.ofSeconds(Long.getLong("warmup", 30));
  static final Duration MEASURE = Duration.ofSeconds(Long.getLong("measure", 15));
  static final int WAKE_UPS = Integer.getInteger("wakeups", 40);
  /** Calls parked and long-polled at once for the waiting-capacity run; 0 skips it. */
  static final int WAITING = Integer.getInteger("waiting", 0);
  static final HttpClient HTTP = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor())
      .connectTimeout(Duration.ofSeconds(5)).build();

  /** Two engine processes on one PostgreSQL: the wake-up across nodes beside the one-node wake-up. */
  static final boolean TWO_NODES = Boolean.getBoolean("twonodes");

  /** The forge in its own engine process (the default), or inside the engine under test. */
  static final boolean FORGE_PROCESS = !"inside".equals(System.getProperty("forge", "process"));
  /** CPU lists for {@code taskset -c}; empty: not pinned. */
  static final String FORGE_CPUS = System.getProperty("cpus.forge", "");
  static final String ENGINE_CPUS = System.getProperty("cpus.engine", "");
  /** The open loop's request rate (req/s); empty: half the slower path's closed-loop throughput at c=32. */
  static final String RATE = System.getProperty("rate", "");
  /** engine.sandbox.latency of the forge (e.g. 50ms): a forge that answers as slowly as a remote GitHub. */
  static final String FORGE_LATENCY = System.getProperty("forgeLatency", "").strip();
  /** The closed-loop concurrencies measured, e.g. "1,32"; the open loop needs 32 among them. */
  static final int[] CONCURRENCY = java.util.Arrays.stream(System.getProperty("concurrency", "1,32").split(","))
      .map(String::strip).filter(c -> !c.isEmpty()).mapToInt(Integer::parseInt).toArray();

  static KeyPair keys;
  static Path issuerKey;
  /** The engine under test. */
  static String base;
  /** The engine process that serves the sandbox forge, and its directory (holding the App key). */
  static String forge;
  static Path forgeDir;

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args[0]).toAbsolutePath();
    Path dir = Path.of(args[1]).toAbsolutePath();
    Files.createDirectories(dir);
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    keys = generator.generateKeyPair();
    issuerKey = dir.resolve("issuer.pem");
    Files.writeString(issuerKey, "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n");
    List<String> database = args.length >= 4
        ? List.of("--spring.datasource.url=" + args[2], "--spring.datasource.username=" + args[3],
            "--spring.datasource.password=" + (args.length > 4 ? args[4] : ""))
        : List.of();
    if (TWO_NODES) {
      twoNodes(jar, dir, database);
      return;
    }
    int port = freePort();
    base = "http://127.0.0.1:" + port;
    String mode = database.isEmpty() ? "H2 (embedded default)" : "PostgreSQL";
    if (!FORGE_PROCESS) {
      forge = base;
      forgeDir = dir;
      long started = System.nanoTime();
      List<String> both = new ArrayList<>(database);
      both.addAll(forgeLatency());
      Process engine = startEngine(jar, dir, port, both, ENGINE_CPUS);
      WATCHED.add(engine);
      try {
        awaitReady(engine, base, Duration.ofSeconds(300)); // a loaded 2-core machine starts slowly
        double startup = (System.nanoTime() - started) / 1e9;
        System.out.printf("== mode: %s, the forge inside the engine under test%s%n", mode, latencyNote());
        System.out.printf("start-up to ready (process start -> /actuator/health/readiness 200): %.1f s%n", startup);
        run(dir, engine);
      } finally {
        stop(engine);
      }
      return;
    }
    // the forge first, alone (its start is the embedded default's first start, and it writes the App key)
    int forgePort = freePort();
    forge = "http://127.0.0.1:" + forgePort;
    forgeDir = dir.resolve("forge");
    long started = System.nanoTime();
    Process forgeEngine = startEngine(jar, forgeDir, forgePort, forgeLatency(), FORGE_CPUS);
    Process engine = null;
    try {
      awaitReady(forgeEngine, forge, Duration.ofSeconds(300));
      double forgeStartup = (System.nanoTime() - started) / 1e9;
      List<String> underTest = new ArrayList<>(database);
      underTest.addAll(forgeClient(forgeDir, forgePort));
      started = System.nanoTime();
      engine = startEngine(jar, dir.resolve("engine"), port, underTest, ENGINE_CPUS);
      awaitReady(engine, base, Duration.ofSeconds(300));
      double startup = (System.nanoTime() - started) / 1e9;
      WATCHED.addAll(List.of(forgeEngine, engine));
      System.out.printf("== mode: %s, the forge in a second engine process (H2, sandbox on; the engine under test"
          + " has its sandbox off and calls the forge as GitHub with the sandbox App's key)%s%n", mode, latencyNote());
      System.out.printf("start-up to ready (process start -> /actuator/health/readiness 200): %.1f s"
          + " (the forge: embedded default, H2, first start) | engine under test (sandbox off, %s): %.1f s%n",
          forgeStartup, mode, startup);
      run(dir.resolve("engine"), engine);
    } finally {
      if (engine != null) {
        stop(engine);
      }
      stop(forgeEngine);
    }
  }

  static List<String> forgeLatency() {
    return FORGE_LATENCY.isEmpty() ? List.of() : List.of("--engine.sandbox.latency=" + FORGE_LATENCY);
  }

  static String latencyNote() {
    return FORGE_LATENCY.isEmpty() ? "" : "; the forge holds back each answer by " + FORGE_LATENCY
        + " (engine.sandbox.latency), on the direct path and behind the gateway alike";
  }

  /**
   * Flags for an engine that reaches another engine process's sandbox forge as its GitHub, with
   * that sandbox App's private key, and serves neither the forge nor the embedded OpenID provider
   * (node B of the two-node run, and the engine under test beside a forge process).
   */
  static List<String> forgeClient(Path forgeDir, int forgePort) {
    return List.of("--engine.github.api-url=http://localhost:" + forgePort + "/sandbox/github",
        "--engine.github.app.private-key-path=" + forgeDir.resolve("data/sandbox/app-private-key.pem"),
        "--engine.sandbox.enabled=false", "--engine.identity.embedded.enabled=false");
  }

  /** A real engine process on {@code port}, in {@code dir} (its ./data), trusting the load issuer. */
  static Process startEngine(Path jar, Path dir, int port, List<String> more) throws IOException {
    return startEngine(jar, dir, port, more, "");
  }

  /** As above, pinned to {@code cpus} with {@code taskset -c} unless that is empty. */
  static Process startEngine(Path jar, Path dir, int port, List<String> more, String cpus) throws IOException {
    Files.createDirectories(dir);
    List<String> command = new ArrayList<>(cpus.isEmpty() ? List.of() : List.of("taskset", "-c", cpus));
    command.addAll(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-Xmx" + System.getProperty("heap", "512m")));
    String jvm = System.getProperty("engineJvm", "").strip();
    if (!jvm.isEmpty()) {
      command.addAll(List.of(jvm.split("\\s+")));
    }
    command.addAll(List.of("-jar", jar.toString(), "--server.port=" + port,
        "--engine.identity.issuers[0].uri=" + ISSUER,
        "--engine.identity.issuers[0].public-key-location=" + issuerKey.toUri(),
        "--engine.identity.issuers[0].audiences[0]=" + AUDIENCE,
        "--engine.approvals.rest-decisions=true",
        "--engine.approvals.ciba.embedded=false",
        // one requester parks every call here (10,000 in the waiting-capacity run), far over the
        // approval quota meant for people
        "--engine.approvals.quota.max-requests=" + Math.max(100_000, WAITING * 2),
        // the waiting-capacity run holds one connection per parked call, longer than the default 60 s wait
        "--server.jetty.max-connections=" + Math.max(12000, WAITING + 1000),
        "--engine.approvals.max-wait=PT600S",
        "--logging.level.root=WARN"));
    if (more.stream().noneMatch(a -> a.startsWith("--engine.github.api-url="))) {
      command.add("--engine.github.api-url=http://localhost:" + port + "/sandbox/github");
    }
    command.addAll(more);
    Process engine = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("engine.log").toFile()).start();
    Runtime.getRuntime().addShutdownHook(new Thread(engine::destroyForcibly));
    return engine;
  }

  static void stop(Process engine) throws InterruptedException {
    engine.destroy();
    if (!engine.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
      engine.destroyForcibly();
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * Two engine processes on one PostgreSQL database, as behind a load balancer: A serves the
   * sandbox forge, B reaches it through the GitHub client with the sandbox App's key (as in
   * TwoNodesIT). The same wake-up runs, alternating: decided on A (one node, woken in process) and
   * decided on B (A's waiter woken by PostgreSQL NOTIFY).
   */
  static void twoNodes(Path jar, Path dir, List<String> database) throws Exception {
    if (database.isEmpty()) {
      throw new IllegalArgumentException("two nodes need a PostgreSQL database (jdbc-url user password)");
    }
    int portA = freePort();
    int portB = freePort();
    String a = "http://127.0.0.1:" + portA;
    String b = "http://127.0.0.1:" + portB;
    Process engineA = startEngine(jar, dir.resolve("a"), portA, database);
    Process engineB = null;
    try {
      awaitReady(engineA, a, Duration.ofSeconds(300)); // A migrates the schema and writes the sandbox App key
      List<String> nodeB = new ArrayList<>(database);
      nodeB.addAll(forgeClient(dir.resolve("a"), portA));
      engineB = startEngine(jar, dir.resolve("b"), portB, nodeB);
      awaitReady(engineB, b, Duration.ofSeconds(300));
      base = a;
      System.out.println("== mode: two nodes on one PostgreSQL (A and B, -Xmx512m each)");
      String alice = token("alice", "developer");
      String admin = token("admin", "approver");
      List<Long> oneNode = new ArrayList<>();
      List<Long> acrossNodes = new ArrayList<>();
      String pull = field(send(HttpRequest.newBuilder(URI.create(a + "/api/v1/sandbox/prime-demo"))
          .header("Authorization", "Bearer " + alice).POST(HttpRequest.BodyPublishers.noBody()).build()).body(),
          "pull_number");
      for (int i = 0; i < 3; i++) { // warm-up, not counted
        wakeUp(a, a, pull, alice, admin);
        wakeUp(a, b, pull, alice, admin);
      }
      for (int i = 0; i < WAKE_UPS; i++) {
        oneNode.add(wakeUp(a, a, pull, alice, admin));
        acrossNodes.add(wakeUp(a, b, pull, alice, admin));
      }
      Collections.sort(oneNode);
      Collections.sort(acrossNodes);
      System.out.printf("approval wake-up (deny sent -> parked long poll on A answers), %d runs each, alternating:"
              + " decided on A (one node) p50 %.2f ms p99 %.2f ms | decided on B (across nodes, NOTIFY) p50 %.2f ms"
              + " p99 %.2f ms%n", WAKE_UPS, percentile(oneNode, 50), percentile(oneNode, 99),
          percentile(acrossNodes, 50), percentile(acrossNodes, 99));
    } finally {
      if (engineB != null) {
        stop(engineB);
      }
      stop(engineA);
    }
  }

  static void run(Path dir, Process engine) throws Exception {
    String alice = token("alice", "developer");
    String admin = token("admin", "approver");
    String installation = installationToken(forgeDir);
    HttpRequest viaGateway = HttpRequest.newBuilder(URI.create(base + "/api/v1/tool-calls"))
        .header("Authorization", "Bearer " + alice).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"tool\":\"list_issues\",\"arguments\":{\"owner\":\"demo\",\"repo\":\"webapp\"}}")).build();
    HttpRequest direct = HttpRequest.newBuilder(URI.create(forge + "/sandbox/github/repos/demo/webapp/issues"))
        .header("Authorization", "Bearer " + installation).header("Accept", "application/vnd.github+json").GET().build();
    check(viaGateway, 200);
    check(direct, 200);
    if (!MEASURE.isZero()) {
      // JIT warm-up of both paths, not counted: with the forge in its own process the engine under
      // test has served nothing before its first window (in one process the direct windows warmed
      // the same HTTP, security and JSON code)
      measure(direct, 4);
      measure(viaGateway, 4);
    }
    double saturation = Double.NaN; // the slower path's closed-loop throughput at c=32
    for (int concurrency : MEASURE.isZero() ? new int[0] : CONCURRENCY) { // MEASURE=0 skips these
      Stats baseline = measure(direct, concurrency);
      double forgeBefore = forgeRequests();
      Stats gateway = measure(viaGateway, concurrency);
      double forgePerCall = (forgeRequests() - forgeBefore) / Math.max(1, gateway.sent);
      System.out.printf("list_issues, concurrency %d: sandbox direct %.0f req/s p50 %.2f ms p99 %.2f ms (errors %d)"
              + " | via gateway %.0f req/s p50 %.2f ms p99 %.2f ms (errors %d)"
              + " | throughput ratio %.2f, added p50 %.2f ms, added p99 %.2f ms%n",
          concurrency, baseline.throughput, baseline.p50, baseline.p99, baseline.errors,
          gateway.throughput, gateway.p50, gateway.p99, gateway.errors,
          gateway.throughput / baseline.throughput, gateway.p50 - baseline.p50, gateway.p99 - baseline.p99);
      if (concurrency == 32) {
        saturation = Math.min(baseline.throughput, gateway.throughput);
      }
      if (WATCHED.size() == 2) {
        System.out.printf("list_issues, concurrency %d, CPU per answered call (process user+system time over the"
                + " measured window): sandbox direct: forge %.2f ms, engine %.2f ms | via gateway: engine %.2f ms"
                + " (the gateway's own work), forge %.2f ms (%.2f forge requests per gateway call)%n", concurrency,
            baseline.cpuPerCall.get(0), baseline.cpuPerCall.get(1), gateway.cpuPerCall.get(1),
            gateway.cpuPerCall.get(0), forgePerCall);
      } else if (WATCHED.size() == 1) {
        System.out.printf("list_issues, concurrency %d, CPU per answered call (process user+system time over the"
                + " measured window): sandbox direct %.2f ms | via gateway %.2f ms (gateway and forge in one"
                + " process; %.2f forge requests per gateway call)%n", concurrency, baseline.cpuPerCall.get(0),
            gateway.cpuPerCall.get(0), forgePerCall);
      }
    }
    if (!MEASURE.isZero() && (!Double.isNaN(saturation) || !RATE.isEmpty())) {
      // added latency below saturation: both paths at one fixed rate, timed from each request's
      // scheduled send (a late send counts against the path that made it late)
      double rate = RATE.isEmpty() ? saturation / 2 : rate(RATE);
      String why = RATE.isEmpty() ? String.format("half the slower path's c=32 throughput, %.0f req/s", saturation)
          : "RATE";
      OpenStats baseline = openLoop(direct, rate);
      OpenStats gateway = openLoop(viaGateway, rate);
      System.out.printf("list_issues, open loop at %.0f req/s (%s), latency from the scheduled send:"
              + " sandbox direct p50 %.2f ms p99 %.2f ms (%d measured, %.0f req/s answered, errors %d, at most %d in flight)"
              + " | via gateway p50 %.2f ms p99 %.2f ms (%d measured, %.0f req/s answered, errors %d, at most %d in flight)"
              + " | added p50 %.2f ms, added p99 %.2f ms%n",
          rate, why, baseline.p50, baseline.p99, baseline.measured, baseline.answered, baseline.errors,
          baseline.maxInFlight, gateway.p50, gateway.p99, gateway.measured, gateway.answered, gateway.errors,
          gateway.maxInFlight, gateway.p50 - baseline.p50, gateway.p99 - baseline.p99);
      if (baseline.errors > 0 || gateway.errors > 0) {
        System.out.printf("list_issues, open loop, errors by kind: sandbox direct %s | via gateway %s%n",
            new java.util.TreeMap<>(baseline.errorKinds), new java.util.TreeMap<>(gateway.errorKinds));
      }
    }
    if (WAKE_UPS > 0) {
      wakeUps(alice, admin);
    }
    if (WAITING > 0) {
      waiting(alice, admin, WAITING, engine, dir);
    }
  }

  /**
   * Waiting capacity: {@code count} merges parked, each with a caller long-polling it, all at once;
   * then every one denied (so nothing runs), and every poll must answer DENIED. Heap and threads
   * are read from the engine's own metrics while all wait.
   */
  static void waiting(String alice, String admin, int count, Process engine, Path dir) throws Exception {
    String primed = send(HttpRequest.newBuilder(URI.create(forge + "/api/v1/sandbox/prime-demo"))
        .header("Authorization", "Bearer " + alice).POST(HttpRequest.BodyPublishers.noBody()).build()).body();
    String pull = field(primed, "pull_number");
    String[] ids = new String[count];
    String[] fingerprints = new String[count];
    long t0 = System.nanoTime();
    parallel(count, 8, i -> {
      String parked = sendPatiently(HttpRequest.newBuilder(URI.create(base + "/api/v1/tool-calls"))
          .header("Authorization", "Bearer " + alice).header("Content-Type", "application/json")
          .header("Idempotency-Key", UUID.randomUUID().toString())
          .POST(HttpRequest.BodyPublishers.ofString("{\"tool\":\"merge_pull_request\",\"arguments\":{\"owner\":\"demo\","
              + "\"repo\":\"webapp\",\"pull_number\":" + pull + "}}")).build()).body();
      ids[i] = field(parked, "approval_id");
      fingerprints[i] = field(parked, "fingerprint");
    });
    System.out.printf("waiting capacity: %d merges parked in %.1f s (%d answers 503 retried)%n", count,
        (System.nanoTime() - t0) / 1e9, SHED.get());
    // one HTTP/1.1 connection per long poll, as 10,000 separate agents would hold
    List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
    AtomicInteger failedPolls = new AtomicInteger();
    for (int i = 0; i < count; i++) {
      polls.add(POLLS.sendAsync(HttpRequest.newBuilder(URI.create(base + "/api/v1/approvals/" + ids[i] + "?wait=600"))
          .timeout(Duration.ofSeconds(900)).header("Authorization", "Bearer " + alice).GET().build(),
          HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
            if (e != null) {
              failedPolls.incrementAndGet();
            }
          }));
    }
    // all connected: the engine's own count of open connections reaches the polls (bounded wait)
    long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
    double connections = 0;
    while (System.nanoTime() < deadline && (connections = metric("jetty_connections_current_connections")) < count) {
      Thread.sleep(500);
    }
    // every poll has reached its wait when the engine counts a waiter for each (bounded wait)
    double parkedWaiters = 0;
    while (System.nanoTime() < deadline && (parkedWaiters = metric("engine_approval_waiters")) < count) {
      Thread.sleep(500);
    }
    long completedEarly = polls.stream().filter(CompletableFuture::isDone).count();
    double heapBeforeGc = metricSum("jvm_memory_used_bytes{area=\"heap\"") / 1048576;
    // what the waiters really hold: the heap after a full collection, and what holds it
    String histogram = jcmd(engine, "GC.class_histogram");
    Files.writeString(dir.resolve("waiting-histogram.txt"), histogram);
    System.out.printf("waiting capacity: %.0f connections open, %.0f waiters parked in the engine, %d of %d polls"
            + " already answered (should be 0), heap used %.0f MiB (%.0f MiB after a full GC) of max %.0f MiB,"
            + " engine RSS %s, live platform threads %.0f%n",
        connections, parkedWaiters, completedEarly, count, heapBeforeGc,
        metricSum("jvm_memory_used_bytes{area=\"heap\"") / 1048576,
        metricSum("jvm_memory_max_bytes{area=\"heap\"") / 1048576, rss(engine), metric("jvm_threads_live_threads"));
    System.out.println("waiting capacity: largest classes on the heap while all wait (jcmd GC.class_histogram):");
    histogram.lines().skip(1).limit(14).forEach(line -> System.out.println("  " + line));
    long d0 = System.nanoTime();
    parallel(count, 8, i -> sendPatiently(HttpRequest.newBuilder(URI.create(base + "/api/v1/approvals/" + ids[i] + "/decision"))
        .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"verdict\":\"deny\",\"reason\":\"load test\",\"fingerprint\":\""
            + fingerprints[i] + "\"}")).build()));
    int denied = 0;
    for (CompletableFuture<HttpResponse<String>> poll : polls) {
      try {
        if (poll.get(300, java.util.concurrent.TimeUnit.SECONDS).body().contains("DENIED")) {
          denied++;
        }
      } catch (Exception e) {
        // counted below as not completed
      }
    }
    System.out.printf("waiting capacity: %d of %d long polls answered DENIED after the decisions (%d failed), "
        + "%.1f s from first decision to last answer; waiters left in the engine: %.0f%n", denied, count,
        failedPolls.get(), (System.nanoTime() - d0) / 1e9, metric("engine_approval_waiters"));
  }

  /** HTTP/1.1 opens one connection per request in flight: one per waiting agent. */
  static final HttpClient POLLS = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .executor(Executors.newVirtualThreadPerTaskExecutor()).build();

  interface Step {
    void run(int i) throws Exception;
  }

  /** Runs {@code count} steps with at most {@code width} at a time; the first failure stops the run. */
  static void parallel(int count, int width, Step step) throws Exception {
    java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(width);
    List<java.util.concurrent.Future<?>> done = new ArrayList<>();
    try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < count; i++) {
        int index = i;
        slots.acquire();
        done.add(workers.submit(() -> {
          try {
            step.run(index);
          } finally {
            slots.release();
          }
          return null;
        }));
      }
    }
    for (java.util.concurrent.Future<?> f : done) {
      f.get();
    }
  }

  /** Runs {@code jcmd <engine pid> <command>} with the JDK this harness runs on; its output. */
  static String jcmd(Process engine, String command) throws Exception {
    Path self = Path.of(ProcessHandle.current().info().command().orElseThrow());
    Process jcmd = new ProcessBuilder(self.resolveSibling("jcmd").toString(), Long.toString(engine.pid()), command)
        .redirectErrorStream(true).start();
    String out = new String(jcmd.getInputStream().readAllBytes());
    jcmd.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
    return out;
  }

  /** The engine process's resident set size, from /proc (Linux). */
  static String rss(Process engine) {
    try {
      return Files.readAllLines(Path.of("/proc/" + engine.pid() + "/status")).stream()
          .filter(l -> l.startsWith("VmRSS:")).map(l -> l.substring(6).strip()).findFirst().orElse("?");
    } catch (IOException e) {
      return "?";
    }
  }

  /** A gauge from the engine's Prometheus page: the first sample whose line starts with {@code name}. */
  static double metric(String name) throws Exception {
    for (String line : prometheus()) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return Double.NaN;
  }

  /** The sum of all samples whose line starts with {@code prefix} (e.g. every heap pool). */
  static double metricSum(String prefix) throws Exception {
    double sum = 0;
    for (String line : prometheus()) {
      if (line.startsWith(prefix)) {
        double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        sum += value > 0 ? value : 0;
      }
    }
    return sum;
  }

  static List<String> prometheus() throws Exception {
    return prometheus(base);
  }

  static List<String> prometheus(String node) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(node + "/actuator/prometheus")).GET().build()).body().lines().toList();
  }

  /** How many requests the forge's GitHub API has answered so far (its own HTTP server metrics). */
  static double forgeRequests() throws Exception {
    double sum = 0;
    for (String line : prometheus(forge)) {
      if (line.startsWith("http_server_requests_seconds_count{") && line.contains("uri=\"/sandbox/github")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /** {@code cpuPerCall}: CPU milliseconds per answered call of each process in {@link #WATCHED}, in that order. */
  record Stats(double throughput, double p50, double p99, int errors, List<Double> cpuPerCall, int sent) {}

  /** The processes whose CPU time a closed-loop window reads: the forge, then the engine under test (if separate). */
  static final List<Process> WATCHED = new ArrayList<>();

  /** A process's user + system CPU time so far (the JDK reads it from /proc on Linux), in ms. */
  static double cpuMillis(Process process) {
    return process.info().totalCpuDuration().map(d -> d.toNanos() / 1e6).orElse(Double.NaN);
  }

  /** Closed loop: {@code concurrency} workers send back to back; warm-up, then a measured window. */
  static Stats measure(HttpRequest request, int concurrency) throws Exception {
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger errors = new AtomicInteger();
    AtomicInteger answeredInWindow = new AtomicInteger();
    AtomicInteger sent = new AtomicInteger();
    long warmEnd = System.nanoTime() + WARM_UP.toNanos();
    long end = warmEnd + MEASURE.toNanos();
    double[] cpuAtWarmEnd = new double[WATCHED.size()];
    double[] cpuAtEnd = new double[WATCHED.size()];
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
            sent.incrementAndGet();
            if (t1 >= warmEnd && t1 <= end) {
              answeredInWindow.incrementAndGet();
            }
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
      // each process's CPU time over the measured window, whatever the neighbours take
      sampleCpuAt(warmEnd, cpuAtWarmEnd);
      sampleCpuAt(end, cpuAtEnd);
    }
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    List<Double> cpuPerCall = new ArrayList<>();
    for (int i = 0; i < WATCHED.size(); i++) {
      cpuPerCall.add((cpuAtEnd[i] - cpuAtWarmEnd[i]) / Math.max(1, answeredInWindow.get()));
    }
    return new Stats(sorted.size() / (double) MEASURE.toSeconds(), percentile(sorted, 50), percentile(sorted, 99),
        errors.get(), cpuPerCall, sent.get());
  }

  /** Waits until {@code at} (System.nanoTime), then reads the CPU time of each watched process. */
  static void sampleCpuAt(long at, double[] into) {
    for (long now = System.nanoTime(); now < at; now = System.nanoTime()) {
      LockSupport.parkNanos(at - now);
    }
    for (int i = 0; i < into.length; i++) {
      into[i] = cpuMillis(WATCHED.get(i));
    }
  }

  static double rate(String text) {
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("RATE is the open loop's requests per second (e.g. RATE=200), not '" + text + "'");
    }
  }

  /** @param errorKinds how the errors ended: an HTTP status, or the exception's class, with counts */
  record OpenStats(int measured, double answered, double p50, double p99, int errors, int maxInFlight,
      Map<String, Integer> errorKinds) {}

  /**
   * Open loop: one request sent every 1/{@code rate} s on a fixed schedule, whatever the answers
   * do (the JDK client's async API, so a slow answer never delays the next send); each latency
   * runs from the request's scheduled send time, so a late send is not hidden (no coordinated
   * omission). Warm-up, then a measured window; answers still missing 30 s after the window count
   * as errors.
   */
  static OpenStats openLoop(HttpRequest request, double rate) throws Exception {
    if (!(rate > 0)) {
      throw new IllegalArgumentException("the open loop needs a rate above 0 req/s (RATE), not " + rate);
    }
    double interval = 1e9 / rate;
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger errors = new AtomicInteger();
    Map<String, Integer> errorKinds = new java.util.concurrent.ConcurrentSkipListMap<>();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    List<CompletableFuture<?>> measured = new ArrayList<>();
    long start = System.nanoTime();
    long warmEnd = start + WARM_UP.toNanos();
    long end = warmEnd + MEASURE.toNanos();
    for (long i = 0; ; i++) {
      long scheduled = start + (long) (i * interval);
      if (scheduled >= end) {
        break;
      }
      for (long now = System.nanoTime(); now < scheduled; now = System.nanoTime()) {
        LockSupport.parkNanos(scheduled - now);
      }
      boolean counted = scheduled >= warmEnd;
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      CompletableFuture<?> answer = HTTP.sendAsync(request, HttpResponse.BodyHandlers.discarding())
          .whenComplete((r, e) -> {
            long done = System.nanoTime();
            inFlight.decrementAndGet();
            if (counted) {
              if (e == null && r.statusCode() == 200) {
                latencies.add(done - scheduled);
              } else {
                errors.incrementAndGet();
                Throwable cause = e instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                    ? c.getCause() : e;
                errorKinds.merge(e == null ? "HTTP " + r.statusCode() : cause.getClass().getSimpleName(), 1,
                    Integer::sum);
              }
            }
          });
      if (counted) {
        measured.add(answer);
      }
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    for (CompletableFuture<?> answer : measured) {
      try {
        answer.get(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.ExecutionException failed) {
        // counted by whenComplete
      } catch (java.util.concurrent.TimeoutException late) {
        break; // the rest is counted as unanswered below
      }
    }
    List<Long> sorted;
    synchronized (latencies) {
      sorted = new ArrayList<>(latencies);
    }
    Collections.sort(sorted);
    int missing = measured.size() - sorted.size() - errors.get();
    if (missing > 0) {
      errorKinds.merge("unanswered after 30 s", missing, Integer::sum);
    }
    return new OpenStats(measured.size(), sorted.size() / (double) MEASURE.toSeconds(), percentile(sorted, 50),
        percentile(sorted, 99), errors.get() + Math.max(0, missing), maxInFlight.get(), Map.copyOf(errorKinds));
  }

  /**
   * Decision → waiting long poll returns: a caller long-polls a parked merge, an approver denies it
   * (so nothing runs: pure wake-up), timed from just before the decision is sent.
   */
  static void wakeUps(String alice, String admin) throws Exception {
    String primed = send(HttpRequest.newBuilder(URI.create(forge + "/api/v1/sandbox/prime-demo"))
        .header("Authorization", "Bearer " + alice).POST(HttpRequest.BodyPublishers.noBody()).build()).body();
    String pull = field(primed, "pull_number");
    // The first decision after start runs code nothing has run yet (class loading, interpreter):
    // one uncounted run, as the two-node run and the gateway's warm-up windows do; shown apart.
    long first = wakeUp(base, base, pull, alice, admin);
    List<Long> latencies = new ArrayList<>();
    for (int i = 0; i < WAKE_UPS; i++) {
      latencies.add(wakeUp(base, base, pull, alice, admin));
    }
    Collections.sort(latencies);
    System.out.printf("approval wake-up (deny sent -> parked long poll answers), %d runs after one uncounted first run"
        + " (%.2f ms): p50 %.2f ms p99 %.2f ms%n", latencies.size(), first / 1e6, percentile(latencies, 50),
        percentile(latencies, 99));
  }

  /**
   * One wake-up: the merge is asked for and long-polled on {@code caller}'s node, denied on
   * {@code approver}'s node; nanoseconds from just before the decision is sent to the poll's answer.
   */
  static long wakeUp(String caller, String approver, String pull, String alice, String admin) throws Exception {
    String parked = send(HttpRequest.newBuilder(URI.create(caller + "/api/v1/tool-calls"))
        .header("Authorization", "Bearer " + alice).header("Content-Type", "application/json")
        .header("Idempotency-Key", UUID.randomUUID().toString())
        .POST(HttpRequest.BodyPublishers.ofString("{\"tool\":\"merge_pull_request\",\"arguments\":{\"owner\":\"demo\","
            + "\"repo\":\"webapp\",\"pull_number\":" + pull + "}}")).build()).body();
    String id = field(parked, "approval_id");
    String fingerprint = field(parked, "fingerprint");
    CompletableFuture<HttpResponse<String>> poll = HTTP.sendAsync(
        HttpRequest.newBuilder(URI.create(caller + "/api/v1/approvals/" + id + "?wait=30"))
            .header("Authorization", "Bearer " + alice).GET().build(), HttpResponse.BodyHandlers.ofString());
    Thread.sleep(200); // let the long poll park (a harness, not a test: nothing to wait on)
    long t0 = System.nanoTime();
    HTTP.sendAsync(HttpRequest.newBuilder(URI.create(approver + "/api/v1/approvals/" + id + "/decision"))
        .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"verdict\":\"deny\",\"reason\":\"load test\",\"fingerprint\":\""
            + fingerprint + "\"}")).build(), HttpResponse.BodyHandlers.discarding());
    HttpResponse<String> answer = poll.get(30, java.util.concurrent.TimeUnit.SECONDS);
    long t1 = System.nanoTime();
    if (!answer.body().contains("DENIED")) {
      throw new IllegalStateException("long poll answered " + answer.body());
    }
    return t1 - t0;
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

  /** An installation token from the sandbox forge, bought with an App JWT signed by the sandbox App's key. */
  static String installationToken(Path forgeDir) throws Exception {
    String pem = Files.readString(forgeDir.resolve("data/sandbox/app-private-key.pem"));
    byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
    Instant now = Instant.now();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).build(),
        new JWTClaimsSet.Builder().issuer("1").issueTime(Date.from(now.minusSeconds(30)))
            .expirationTime(Date.from(now.plusSeconds(540))).build());
    jwt.sign(new RSASSASigner(key));
    String body = send(HttpRequest.newBuilder(URI.create(forge + "/sandbox/github/app/installations/1/access_tokens"))
        .header("Authorization", "Bearer " + jwt.serialize()).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build()).body();
    return field(body, "token");
  }

  static void awaitReady(Process engine, String node, Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    HttpRequest health = HttpRequest.newBuilder(URI.create(node + "/actuator/health/readiness")).GET().build();
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

  /**
   * As a well-behaved client: a 503 (the engine shedding load, e.g. an audit append that timed out
   * on a busy machine; nothing was executed) is retried after a pause, at most 10 times. Counted.
   */
  static HttpResponse<String> sendPatiently(HttpRequest request) throws Exception {
    for (int attempt = 1; ; attempt++) {
      HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 503 || attempt == 10) {
        if (r.statusCode() / 100 != 2) {
          throw new IllegalStateException(request.uri() + " answered " + r.statusCode() + ": " + r.body());
        }
        return r;
      }
      SHED.incrementAndGet();
      Thread.sleep(200L * attempt);
    }
  }

  static final AtomicInteger SHED = new AtomicInteger();

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
