package dev.authoraization.redteam;

import static dev.authoraization.support.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.support.EngineIT;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;

/**
 * The browser-facing surface: security headers, CORS, the login form (CSRF, session fixation,
 * cookie flags), open redirects in the authorization flow, and a REST door that never sets a
 * cookie. Runs against the embedded OpenID provider of the shared test engine.
 */
@Tag("redteam")
class WebHardeningIT extends EngineIT {

  static final String ALICE = token("alice", "developer");
  static final String USER = "redteam-user";
  static final String PASSWORD = "redteam-" + UUID.randomUUID();
  private static final HttpClient NO_REDIRECTS = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

  @Autowired
  JdbcTemplate jdbc;

  @BeforeEach
  void user() {
    if (jdbc.queryForObject("SELECT count(*) FROM identity_user WHERE username = ?", Integer.class, USER) == 0) {
      jdbc.update("INSERT INTO identity_user (username, password_hash, roles) VALUES (?, ?, ?)", USER,
          PasswordEncoderFactories.createDelegatingPasswordEncoder().encode(PASSWORD), "developer");
    }
  }

  @Test
  void apiResponsesCarrySecurityHeadersAndAreNeverCached() {
    for (Response r : List.of(get("/api/v1/tools", ALICE), get("/api/v1/tools", null),
        post("/api/v1/tool-calls", "{\"tool\":", ALICE))) {
      HttpHeaders h = r.raw().headers();
      assertThat(h.firstValue("X-Content-Type-Options")).as(r.status() + "").hasValue("nosniff");
      assertThat(framingDenied(h)).as(r.status() + " X-Frame-Options/CSP").isTrue();
      assertThat(h.firstValue("Cache-Control")).as(r.status() + "").hasValueSatisfying(v -> assertThat(v).contains("no-store"));
      assertNoServerVersion(h);
    }
  }

  @Test
  void theLoginPageCarriesSecurityHeaders() throws Exception {
    HttpResponse<String> login = send(HttpRequest.newBuilder(uri("/login")).GET(), Optional.empty());

    assertThat(login.statusCode()).isEqualTo(200);
    assertThat(login.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(framingDenied(login.headers())).isTrue();
    assertNoServerVersion(login.headers());
  }

  @Test
  void corsIsClosedAPreflightFromAnotherOriginGetsNoAllowOrigin() throws Exception {
    HttpResponse<String> preflight = send(HttpRequest.newBuilder(uri("/api/v1/tool-calls"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", "https://evil.example").header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "authorization, content-type"), Optional.empty());
    HttpResponse<String> simple = send(HttpRequest.newBuilder(uri("/api/v1/tools")).GET()
        .header("Origin", "https://evil.example").header("Authorization", "Bearer " + ALICE), Optional.empty());

    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
    assertThat(simple.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  @Test
  void aLoginPostWithoutTheCsrfTokenIsRefused() throws Exception {
    HttpResponse<String> page = send(HttpRequest.newBuilder(uri("/login")).GET(), Optional.empty());
    String session = sessionCookie(page).orElseThrow();

    HttpResponse<String> forged = send(form("username=" + USER + "&password=" + enc(PASSWORD)), Optional.of(session));

    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(forged.headers().firstValue("Location")).isEmpty();
  }

  @Test
  void theSessionIdChangesAtLoginSoAFixedSessionIsWorthless() throws Exception {
    HttpResponse<String> page = send(HttpRequest.newBuilder(uri("/login")).GET(), Optional.empty());
    String before = sessionCookie(page).orElseThrow();

    HttpResponse<String> login = send(form("username=" + USER + "&password=" + enc(PASSWORD) + "&_csrf="
        + enc(csrf(page.body()))), Optional.of(before));

    assertThat(login.statusCode()).isEqualTo(302);
    assertThat(login.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).doesNotContain("error"));
    String after = sessionCookie(login).orElseThrow(() -> new AssertionError("no new session cookie at login"));
    assertThat(after).isNotEqualTo(before);
  }

  @Test
  void theSessionCookieIsHttpOnly() throws Exception {
    HttpResponse<String> page = send(HttpRequest.newBuilder(uri("/login")).GET(), Optional.empty());

    List<String> cookies = page.headers().allValues("Set-Cookie");
    assertThat(cookies).isNotEmpty();
    // Secure needs HTTPS: behind TLS set server.servlet.session.cookie.secure=true (docs/security.md)
    assertThat(cookies).allSatisfy(c -> assertThat(c).containsIgnoringCase("HttpOnly"));
  }

  @Test
  void anAuthorizationRequestWithAnUnregisteredRedirectUriNeverRedirectsThere() throws Exception {
    HttpResponse<String> page = send(HttpRequest.newBuilder(uri("/login")).GET(), Optional.empty());
    HttpResponse<String> login = send(form("username=" + USER + "&password=" + enc(PASSWORD) + "&_csrf="
        + enc(csrf(page.body()))), sessionCookie(page));
    assertThat(login.statusCode()).isEqualTo(302);
    Optional<String> session = Optional.of(sessionCookie(login).orElseThrow());
    String query = "response_type=code&client_id=engine-web&scope=openid&state=s&code_challenge="
        + "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&redirect_uri=";

    for (String evil : List.of("https://evil.example/cb", "http://localhost:8080.evil.example/login/oauth2/code/engine",
        "http://localhost:8080/login/oauth2/code/engine/../../../redirect?to=https://evil.example",
        "//evil.example/login/oauth2/code/engine")) {
      for (Optional<String> who : List.of(Optional.<String>empty(), session)) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/oauth2/authorize?" + query + enc(evil)))
            .header("Accept", "text/html").GET(), who);
        assertThat(r.headers().firstValue("Location")).as(evil + " logged in: " + who.isPresent())
            .satisfiesAnyOf(Optional::isEmpty, l -> assertThat(l.get()).doesNotContain("evil.example"));
        assertThat(r.statusCode()).as(evil).isNotEqualTo(500);
      }
    }
  }

  @Test
  void theBearerOnlyApiNeverSetsACookie() {
    String repo = "demo/nocookie";
    for (Response r : List.of(get("/api/v1/tools", ALICE), get("/api/v1/tools", null),
        post("/api/v1/tool-calls", "{\"tool\":\"read_notes\",\"arguments\":{\"repo\":\"" + repo + "\"}}", ALICE),
        post("/api/v1/tool-calls", "{\"tool\":\"merge_change\",\"arguments\":{\"repo\":\"" + repo + "\"}}", ALICE),
        get("/api/v1/approvals", ALICE), post("/api/v1/policy/explain", "{}", ALICE))) {
      assertThat(r.raw().headers().allValues("Set-Cookie")).as(r.raw().uri() + " " + r.status()).isEmpty();
    }
  }

  @Test
  void errorsShowNoStackTraceOrFrameworkInternals() {
    for (Response r : List.of(get("/api/v1/nothing-here", ALICE), get("/nothing-here", null),
        post("/api/v1/tool-calls", "[[[[", ALICE), post("/api/v1/approvals/x/decision", "{\"verdict\":1}", ALICE))) {
      assertThat(r.status()).as(r.raw().uri().toString()).isBetween(400, 499);
      assertThat(r.raw().body()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("springframework")
          .doesNotContain("jackson");
    }
  }

  // --- helpers

  private static boolean framingDenied(HttpHeaders h) {
    return h.firstValue("X-Frame-Options").map(v -> v.equalsIgnoreCase("DENY")).orElse(false)
        || h.firstValue("Content-Security-Policy").map(v -> v.contains("frame-ancestors 'none'")).orElse(false);
  }

  private static void assertNoServerVersion(HttpHeaders h) {
    assertThat(h.firstValue("Server")).satisfiesAnyOf(Optional::isEmpty,
        s -> assertThat(s.get()).doesNotContainPattern("[0-9]"));
    assertThat(h.firstValue("X-Powered-By")).isEmpty();
  }

  private HttpRequest.Builder form(String body) {
    return HttpRequest.newBuilder(uri("/login")).header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "text/html").POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private static HttpResponse<String> send(HttpRequest.Builder request, Optional<String> session)
      throws IOException, InterruptedException {
    session.ifPresent(s -> request.header("Cookie", "SESSION=" + s));
    return NO_REDIRECTS.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Optional<String> sessionCookie(HttpResponse<?> response) {
    return response.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("SESSION="))
        .map(c -> c.substring("SESSION=".length(), c.indexOf(';') < 0 ? c.length() : c.indexOf(';'))).findFirst();
  }

  private static String csrf(String html) {
    Matcher m = CSRF.matcher(html);
    if (!m.find()) {
      throw new AssertionError("the login form has no CSRF token:\n" + html);
    }
    return m.group(1);
  }

  private static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
