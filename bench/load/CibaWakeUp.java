// Approval wake-up through the embedded CIBA endpoint vs the approver page deciding directly
// (bench/load/run ciba runs it). Starts the engine twice on the embedded defaults (built-in
// OpenID provider, sandbox forge, H2): once as shipped (approvals through the engine's CIBA client
// to the embedded CIBA endpoint, ping mode), once with engine.approvals.ciba.embedded=false (the
// page records the vote itself: the baseline). In both, an agent parks a merge and long-polls it;
// the approver, signed in on the approver page, denies it (nothing runs: pure wake-up); the time
// is from just before the page's POST to the long poll answering. The page runs in password-demo
// mode (engine.approvals.passkey.required=false): the WebAuthn check costs the same in both modes
// and needs a browser, so it is left out. Loopback only; every loop is bounded.
//
//   java CibaWakeUp.java <engine-exec.jar> <work-dir>

import java.net.CookieManager;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

public class CibaWakeUp {

  static final int WAKE_UPS = Integer.getInteger("wakeups", 40);
  static final int WARM_UPS = Integer.getInteger("warmups", 5);
  static final int READY_SECONDS = Integer.getInteger("ready", 600);
  static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");
  static final String ADMIN_PASSWORD = "bench-admin-" + UUID.randomUUID();
  static final String AGENT_SECRET = "bench-agent-" + UUID.randomUUID();

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args[0]).toAbsolutePath();
    Path dir = Path.of(args[1]).toAbsolutePath();
    List<Double> direct = measure(jar, dir.resolve("direct"), false);
    List<Double> ciba = measure(jar, dir.resolve("ciba"), true);
    System.out.printf("approval wake-up (approver page POST -> parked long poll answers), %d runs each after %d warm-ups%n",
        WAKE_UPS, WARM_UPS);
    System.out.printf("  baseline, page decides directly:      p50 %7.2f ms  p99 %7.2f ms%n", p(direct, 50), p(direct, 99));
    System.out.printf("  embedded CIBA endpoint, ping + poll:  p50 %7.2f ms  p99 %7.2f ms%n", p(ciba, 50), p(ciba, 99));
  }

  static List<Double> measure(Path jar, Path dir, boolean ciba) throws Exception {
    Files.createDirectories(dir);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String base = "http://localhost:" + port;
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-Xmx512m", "-jar", jar.toString(), "--server.port=" + port,
        "--engine.identity.embedded.issuer=" + base,
        "--engine.identity.embedded.key-dir=" + dir.resolve("keys"),
        "--engine.identity.embedded.redirect-uris[0]=" + base + "/login/oauth2/code/engine",
        "--engine.identity.embedded.users[0].username=alice",
        "--engine.identity.embedded.users[0].password=bench-alice-" + UUID.randomUUID(),
        "--engine.identity.embedded.users[0].roles[0]=developer",
        "--engine.identity.embedded.users[1].username=admin",
        "--engine.identity.embedded.users[1].password=" + ADMIN_PASSWORD,
        "--engine.identity.embedded.users[1].roles[0]=approver",
        "--engine.identity.embedded.demo-agent-secret=" + AGENT_SECRET,
        "--engine.github.api-url=" + base + "/sandbox/github",
        "--engine.approvals.passkey.required=false",
        "--engine.approvals.ciba.embedded=" + ciba,
        // one requester asks for every measured approval, more than the approval quota meant for people
        "--engine.approvals.quota.max-requests=100000",
        "--logging.level.root=WARN"));
    Process engine = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("engine.log").toFile()).start();
    Runtime.getRuntime().addShutdownHook(new Thread(engine::destroyForcibly));
    try {
      HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager())
          .executor(Executors.newVirtualThreadPerTaskExecutor()).followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(5)).build();
      // the agent's bearer calls go without the approver's cookies, as they would from another machine
      HttpClient api = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor())
          .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
      awaitReady(api, base, engine);
      String agent = field(send(api, post(base + "/oauth2/token", "grant_type=client_credentials")
          .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
              ("demo-agent:" + AGENT_SECRET).getBytes(StandardCharsets.UTF_8)))).body(), "access_token");
      signIn(http, base);
      String pull = field(send(api, HttpRequest.newBuilder(URI.create(base + "/api/v1/sandbox/prime-demo"))
          .header("Authorization", "Bearer " + agent).POST(HttpRequest.BodyPublishers.noBody())).body(), "pull_number");
      List<Double> latencies = new ArrayList<>();
      for (int i = 0; i < WARM_UPS + WAKE_UPS; i++) {
        double ms = once(http, api, base, agent, pull, ciba);
        if (i >= WARM_UPS) {
          latencies.add(ms);
        }
      }
      Collections.sort(latencies);
      return latencies;
    } finally {
      engine.destroy();
      if (!engine.waitFor(20, TimeUnit.SECONDS)) {
        engine.destroyForcibly();
      }
    }
  }

  static double once(HttpClient http, HttpClient api, String base, String agent, String pull, boolean ciba)
      throws Exception {
    String parked = send(api, HttpRequest.newBuilder(URI.create(base + "/api/v1/tool-calls"))
        .header("Authorization", "Bearer " + agent).header("Content-Type", "application/json")
        .header("Idempotency-Key", UUID.randomUUID().toString())
        .POST(HttpRequest.BodyPublishers.ofString("{\"tool\":\"merge_pull_request\",\"arguments\":{\"owner\":\"demo\","
            + "\"repo\":\"webapp\",\"pull_number\":" + pull + "}}"))).body();
    String id = field(parked, "approval_id");
    String fingerprint = field(parked, "fingerprint");
    CompletableFuture<HttpResponse<String>> poll = api.sendAsync(
        HttpRequest.newBuilder(URI.create(base + "/api/v1/approvals/" + id + "?wait=30"))
            .header("Authorization", "Bearer " + agent).GET().build(), HttpResponse.BodyHandlers.ofString());
    String page = "";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    do { // in CIBA mode, until the backchannel request is there (the page says so); bounded
      page = send(http, HttpRequest.newBuilder(URI.create(base + "/approvals/" + id)).GET()).body();
    } while (ciba && !page.contains("Asked through CIBA") && System.nanoTime() < deadline && pause(20));
    if (ciba && !page.contains("Asked through CIBA")) {
      throw new IllegalStateException("no backchannel request appeared for " + id);
    }
    Thread.sleep(200); // let the long poll park (a harness, not a test)
    String form = form(Map.of("verdict", "deny", "fingerprint", fingerprint, "reason", "bench", "assertion", "",
        "_csrf", csrf(page)));
    long t0 = System.nanoTime();
    HttpResponse<String> decided = send(http, post(base + "/approvals/" + id + "/decision", form));
    HttpResponse<String> answer = poll.get(30, TimeUnit.SECONDS);
    long t1 = System.nanoTime();
    if (decided.statusCode() != 302 || !answer.body().contains("DENIED")) {
      Matcher error = Pattern.compile("class=\"error\"[^>]*>([^<]*)<").matcher(decided.body());
      throw new IllegalStateException("decision " + decided.statusCode() + (error.find() ? " (" + error.group(1) + ")" : "")
          + ", long poll answered " + answer.body());
    }
    return (t1 - t0) / 1e6;
  }

  static void signIn(HttpClient http, String base) throws Exception {
    String login = send(http, HttpRequest.newBuilder(URI.create(base + "/login")).GET()).body();
    HttpResponse<String> signedIn = send(http, post(base + "/login",
        form(Map.of("username", "admin", "password", ADMIN_PASSWORD, "_csrf", csrf(login)))));
    if (signedIn.statusCode() != 302 || signedIn.headers().firstValue("Location").orElse("").contains("error")) {
      throw new IllegalStateException("sign-in failed: " + signedIn.statusCode());
    }
    HttpResponse<String> list = send(http, HttpRequest.newBuilder(URI.create(base + "/approvals")).GET());
    if (list.statusCode() != 200) {
      throw new IllegalStateException("the approver page answered " + list.statusCode() + " after sign-in (to "
          + signedIn.headers().firstValue("Location").orElse("?") + ")");
    }
  }

  static void awaitReady(HttpClient http, String base, Process engine) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_SECONDS);
    while (System.nanoTime() < deadline) {
      if (!engine.isAlive()) {
        throw new IllegalStateException("the engine exited; see engine.log");
      }
      try {
        if (send(http, HttpRequest.newBuilder(URI.create(base + "/actuator/health/readiness")).GET()).statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException notYet) {
        // starting
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("the engine did not get ready in " + READY_SECONDS + " s (a loaded machine: raise -Dready)");
  }

  static HttpRequest.Builder post(String uri, String form) {
    return HttpRequest.newBuilder(URI.create(uri)).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form));
  }

  static HttpResponse<String> send(HttpClient http, HttpRequest.Builder request) throws Exception {
    return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static String form(Map<String, String> fields) {
    return fields.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
  }

  static String csrf(String html) {
    Matcher m = CSRF.matcher(html);
    if (!m.find()) {
      throw new IllegalStateException("no CSRF token on the page");
    }
    return m.group(1);
  }

  static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"?([^\",}]+)").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("no " + name + " in " + json);
    }
    return m.group(1);
  }

  static boolean pause(long millis) throws InterruptedException {
    Thread.sleep(millis);
    return true;
  }

  static double p(List<Double> sorted, int percentile) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }
}
