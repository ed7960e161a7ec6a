package dev.authoraization.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.EngineApplication;
import dev.authoraization.support.TestDatabases;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Two engine nodes (two Spring contexts, two servers, one PostgreSQL database) and a browser that
 * a load balancer without sticky sessions sends to either: signed in on A is signed in on B, the
 * session id changes at each sign-in, an unknown or forged session cookie is anonymous, and a
 * session signed out on A is signed out on B. The CSRF token and the passkey enrolment challenge
 * a page on A put in the session are honoured by B. Both nodes run the built-in provider with one
 * issuer and one signing key, as nodes behind one address would.
 */
class SessionsAcrossNodesIT {

  static final String PASSWORD = "correct-horse-" + UUID.randomUUID();
  static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");
  static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5)).build();

  static ConfigurableApplicationContext a;
  static ConfigurableApplicationContext b;
  static String baseA;
  static String baseB;
  static JdbcTemplate db;

  @BeforeAll
  static void twoNodes() throws IOException {
    String url = TestDatabases.postgresUrl();
    db = new JdbcTemplate(new DriverManagerDataSource(url, "postgres", "postgres"));
    Path shared = Files.createTempDirectory("sessions-two-nodes");
    int portA = EngineProcess.freePort();
    int portB = EngineProcess.freePort();
    baseA = "http://localhost:" + portA;
    baseB = "http://localhost:" + portB;
    Map<String, Object> common = new HashMap<>();
    common.put("spring.datasource.url", url);
    common.put("spring.datasource.username", "postgres");
    common.put("spring.datasource.password", "postgres");
    common.put("engine.identity.embedded.issuer", baseA);
    common.put("engine.identity.embedded.redirect-uris[0]", baseA + "/login/oauth2/code/engine");
    common.put("engine.identity.embedded.redirect-uris[1]", baseB + "/login/oauth2/code/engine");
    common.put("engine.identity.embedded.key-dir", shared.resolve("identity").toString());
    common.put("engine.identity.embedded.users[0].username", "alice");
    common.put("engine.identity.embedded.users[0].password", PASSWORD);
    common.put("engine.identity.embedded.users[0].roles[0]", "developer");
    common.put("engine.identity.embedded.users[1].username", "admin");
    common.put("engine.identity.embedded.users[1].password", PASSWORD);
    common.put("engine.identity.embedded.users[1].roles[0]", "approver");
    common.put("engine.approvals.passkey.origins[0]", baseA);
    common.put("engine.approvals.ciba.embedded", "false");
    common.put("engine.vault.keyset-path", shared.resolve("vault-keyset.json").toString());
    common.put("engine.policy.path", "");
    common.put("engine.sandbox.enabled", "false");
    common.put("engine.github.credentials", "token");
    common.put("engine.github.token", "test-token-never-sent");
    common.put("engine.github.api-url", "http://127.0.0.1:9/unused");
    a = node(common, portA);
    b = node(common, portB);
  }

  @AfterAll
  static void stop() {
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
  }

  @Test
  void signedInOnAIsSignedInOnBWithTheSameCookie() {
    String session = signInToChat("alice");

    HttpResponse<String> onB = get(baseB + "/chat", session);

    assertThat(onB.statusCode()).isEqualTo(200);
    assertThat(onB.body()).contains("alice", "developer").contains("id=\"composer\"");
    assertThat(setCookie(onB)).as("B keeps the session it was given").isEmpty();
  }

  @Test
  void aSignInStartedOnAIsFinishedOnBWithThePkceVerifierAndStateFromTheSession() {
    Browser browser = new Browser(baseA, PASSWORD);
    browser.startChatSignIn();
    browser.signInToProvider("alice");
    HttpResponse<String> code = get(browser.authorize, browser.session);
    String callback = code.headers().firstValue("Location").orElseThrow();
    assertThat(callback).startsWith(baseA + "/login/oauth2/code/engine?code=");

    // the provider's redirect reaches B (same path and query; behind one address it would be the same URL)
    HttpResponse<String> signedIn = get(baseB + callback.substring(baseA.length()), browser.session);

    assertThat(signedIn.statusCode()).isEqualTo(302);
    assertThat(signedIn.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/chat"));
    String session = setCookie(signedIn).orElseThrow();
    assertThat(get(baseA + "/chat", session).statusCode()).isEqualTo(200);
  }

  @Test
  void theSessionIdChangesAtEachSignInAndTheOldIdsAreAnonymousOnEitherNode() {
    Browser browser = new Browser(baseA, PASSWORD);
    String beforeProvider = browser.startChatSignIn();
    String afterProvider = browser.signInToProvider("alice");
    String afterChat = browser.finishChatSignIn();

    assertThat(List.of(beforeProvider, afterProvider, afterChat)).doesNotHaveDuplicates();
    for (String old : List.of(beforeProvider, afterProvider)) {
      assertThat(get(baseB + "/chat", old).statusCode()).as("a pre-login id on B").isEqualTo(302);
      assertThat(get(baseA + "/chat", old).statusCode()).as("a pre-login id on A").isEqualTo(302);
    }
    assertThat(get(baseB + "/chat", afterChat).statusCode()).isEqualTo(200);
  }

  @Test
  void theSessionCookieIsHttpOnlySameSiteLaxAndScopedToTheWholeSite() {
    HttpResponse<String> first = get(baseA + "/chat", null);

    assertThat(first.headers().allValues("Set-Cookie")).filteredOn(c -> c.startsWith("SESSION="))
        .singleElement().satisfies(c -> assertThat(c).contains("HttpOnly", "SameSite=Lax", "Path=/")
            .doesNotContainIgnoringCase("Domain=").doesNotContainIgnoringCase("Max-Age"));
  }

  @Test
  void anUnknownOrForgedSessionCookieIsAnonymous() {
    String unknown = Base64.getEncoder().encodeToString(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
    String real = signInToChat("alice");
    String realId = new String(Base64.getDecoder().decode(real), StandardCharsets.UTF_8);
    String tampered = Base64.getEncoder().encodeToString(
        (realId.substring(0, 35) + (realId.endsWith("0") ? "1" : "0")).getBytes(StandardCharsets.UTF_8));
    String quoted = Base64.getEncoder().encodeToString("' OR '1'='1".getBytes(StandardCharsets.UTF_8));

    for (String forged : List.of(unknown, tampered, quoted, "not-base64!", realId)) {
      HttpResponse<String> chat = get(baseB + "/chat", forged);
      assertThat(chat.statusCode()).as(forged).isEqualTo(302);
      assertThat(chat.headers().firstValue("Location")).as(forged)
          .hasValueSatisfying(l -> assertThat(l).endsWith("/oauth2/authorization/engine"));
    }
  }

  @Test
  void signedOutOnAIsSignedOutOnB() {
    String session = signInToChat("alice");
    HttpResponse<String> page = get(baseA + "/chat", session);
    assertThat(page.statusCode()).isEqualTo(200);

    HttpResponse<String> logout = post(baseA + "/chat/logout", "_csrf=" + enc(csrf(page.body())), session);
    assertThat(logout.statusCode()).isEqualTo(302);
    assertThat(logout.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/chat/signed-out"));

    assertThat(get(baseB + "/chat", session).statusCode()).isEqualTo(302);
    assertThat(db.queryForObject("SELECT count(*) FROM spring_session WHERE session_id = ?", Integer.class,
        new String(Base64.getDecoder().decode(session), StandardCharsets.UTF_8))).isZero();
  }

  @Test
  void aPasskeyEnrolmentStartedOnAIsCheckedOnBAgainstTheSameChallengeAndCsrfToken() {
    Browser admin = new Browser(baseA, PASSWORD);
    admin.signInToProvider("admin");
    HttpResponse<String> enrol = get(baseA + "/passkeys/enrol", admin.session);
    assertThat(enrol.statusCode()).isEqualTo(200);
    String csrf = csrf(enrol.body());

    // B finds A's CSRF token and challenge in the session and goes on to verify the credential
    // (a bogus one, so nothing is enrolled; how it refuses it is not this test's concern)
    HttpResponse<String> verified = post(baseB + "/passkeys/enrol", "credential=" + enc("{\"id\":\"x\"}")
        + "&_csrf=" + enc(csrf), admin.session);
    assertThat(verified.statusCode()).isEqualTo(400);
    assertThat(verified.body()).contains("nothing was enrolled").doesNotContain("already used or has expired");

    // the challenge was single use, also across nodes: B took A's and issued a fresh one, which is
    // now the session's only challenge
    String fresh = challenge(verified.body());
    assertThat(fresh).isNotEqualTo(challenge(enrol.body()));
    assertThat(challenge(get(baseA + "/passkeys/enrol", admin.session).body())).as("A replaces it again")
        .isNotEqualTo(fresh).isNotEqualTo(challenge(enrol.body()));

    // and a CSRF token that is not the session's is refused by B
    assertThat(post(baseB + "/passkeys/enrol", "credential=x&_csrf=forged", admin.session).statusCode())
        .isEqualTo(403);
  }

  /**
   * A chat message posted on A is answered by B when the browser's stream lands there: the turn
   * waits in the database (SubmittedTurns), not in A's memory, and is run once.
   */
  @Test
  void aChatTurnPostedOnAIsAnsweredWhenItsStreamReachesB() {
    String session = signInToChat("alice");
    String text = "list my repositories";
    HttpResponse<String> page = get(baseA + "/chat", session);
    HttpResponse<String> posted = send(HttpRequest.newBuilder(URI.create(baseA + "/chat/messages"))
        .header("HX-Request", "true").header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("text=" + enc(text) + "&_csrf=" + enc(csrf(page.body())))), session);
    assertThat(posted.statusCode()).isEqualTo(200);
    Matcher turn = Pattern.compile("sse-connect=\"/chat/turns/([0-9a-f-]{36})\"").matcher(posted.body());
    assertThat(turn.find()).isTrue();

    HttpResponse<String> streamedOnB = send(HttpRequest.newBuilder(URI.create(baseB + "/chat/turns/" + turn.group(1)))
        .header("Accept", "text/event-stream").GET(), session);

    assertThat(streamedOnB.statusCode()).isEqualTo(200);
    assertThat(streamedOnB.body()).contains("event:done").doesNotContain("already delivered or has expired");
    assertThat(get(baseA + "/chat", session).body()).as("the conversation, read on A, has the message")
        .contains(text);
    HttpResponse<String> again = send(HttpRequest.newBuilder(URI.create(baseA + "/chat/turns/" + turn.group(1)))
        .header("Accept", "text/event-stream").GET(), session);
    assertThat(again.body()).as("and it ran once").contains("already delivered or has expired");
  }

  @Test
  void sessionsLiveInTheDatabaseWithTheTimeoutOfTheContainer() {
    String session = signInToChat("alice");
    String id = new String(Base64.getDecoder().decode(session), StandardCharsets.UTF_8);

    assertThat(db.queryForObject("SELECT max_inactive_interval FROM spring_session WHERE session_id = ?",
        Integer.class, id)).isEqualTo(1800);
    assertThat(db.queryForList("SELECT a.attribute_name FROM spring_session_attributes a JOIN spring_session s "
        + "ON a.session_primary_id = s.primary_id WHERE s.session_id = ?", String.class, id))
        .contains("ENGINE_WEB_UI_SECURITY_CONTEXT");
  }

  /** Signs in to the chat on A through the built-in provider; returns the session cookie's value. */
  static String signInToChat(String user) {
    Browser browser = new Browser(baseA, PASSWORD);
    browser.startChatSignIn();
    browser.signInToProvider(user);
    return browser.finishChatSignIn();
  }

  /**
   * One browser's SESSION cookie, followed through the authorization code flow by hand, on the
   * node whose built-in provider signs it in (also used by {@link TwoNodesIT}).
   */
  static final class Browser {
    final String node;
    final String password;
    String session;
    String authorize;

    Browser(String node, String password) {
      this.node = node;
      this.password = password;
    }

    /** /chat → the sign-in redirect → the provider's authorize endpoint; returns the first session. */
    String startChatSignIn() {
      HttpResponse<String> chat = get(node + "/chat", null);
      assertThat(chat.statusCode()).isEqualTo(302);
      session = setCookie(chat).orElseThrow(() -> new AssertionError("no session at the first visit"));
      HttpResponse<String> start = get(node + "/oauth2/authorization/engine", session);
      assertThat(start.statusCode()).isEqualTo(302);
      authorize = start.headers().firstValue("Location").orElseThrow();
      assertThat(authorize).startsWith(node + "/oauth2/authorize?");
      HttpResponse<String> toLogin = get(authorize, session);
      assertThat(toLogin.statusCode()).isEqualTo(302);
      return session;
    }

    /** The provider's login form; returns the session after it. */
    String signInToProvider(String user) {
      HttpResponse<String> form = get(node + "/login", session);
      session = setCookie(form).orElse(session);
      HttpResponse<String> login = post(node + "/login", "username=" + user + "&password=" + enc(password)
          + "&_csrf=" + enc(csrf(form.body())), session);
      assertThat(login.statusCode()).isEqualTo(302);
      assertThat(login.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).doesNotContain("error"));
      session = setCookie(login).orElseThrow(() -> new AssertionError("no new session at the provider's login"));
      // back to the authorization request the login interrupted, as a browser follows it
      authorize = login.headers().firstValue("Location").orElseThrow();
      return session;
    }

    /** Back to the authorize endpoint, the code to the callback, and into the chat. */
    String finishChatSignIn() {
      HttpResponse<String> code = get(authorize, session);
      assertThat(code.statusCode()).isEqualTo(302);
      String callback = code.headers().firstValue("Location").orElseThrow();
      assertThat(callback).startsWith(node + "/login/oauth2/code/engine?code=");
      HttpResponse<String> signedIn = get(callback, session);
      assertThat(signedIn.statusCode()).isEqualTo(302);
      assertThat(signedIn.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/chat"));
      session = setCookie(signedIn).orElseThrow(() -> new AssertionError("no new session at the chat sign-in"));
      return session;
    }
  }

  private static ConfigurableApplicationContext node(Map<String, Object> common, int port) {
    Map<String, Object> properties = new HashMap<>(common);
    properties.put("server.port", port);
    // as command-line arguments: they override application.yml (builder properties would not)
    return new SpringApplicationBuilder(EngineApplication.class)
        .run(properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new));
  }

  static HttpResponse<String> get(String url, String session) {
    return send(HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/html").GET(), session);
  }

  static HttpResponse<String> post(String url, String form, String session) {
    return send(HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/html")
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)),
        session);
  }

  private static HttpResponse<String> send(HttpRequest.Builder request, String session) {
    if (session != null) {
      request.header("Cookie", "SESSION=" + session);
    }
    try {
      return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static Optional<String> setCookie(HttpResponse<?> response) {
    return response.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("SESSION="))
        .map(c -> c.substring("SESSION=".length(), c.indexOf(';') < 0 ? c.length() : c.indexOf(';')))
        .filter(v -> !v.isEmpty()).findFirst();
  }

  /** The WebAuthn challenge in an enrolment page's creation options. */
  private static String challenge(String page) {
    Matcher challenge = Pattern.compile("&quot;challenge&quot;:&quot;([A-Za-z0-9_-]+)&quot;").matcher(page);
    assertThat(challenge.find()).as(page).isTrue();
    return challenge.group(1);
  }

  static String csrf(String html) {
    Matcher m = CSRF.matcher(html);
    if (!m.find()) {
      throw new AssertionError("no CSRF token in the page:\n" + html);
    }
    return m.group(1);
  }

  static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
