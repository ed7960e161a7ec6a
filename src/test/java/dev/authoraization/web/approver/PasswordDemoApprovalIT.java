package dev.authoraization.web.approver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.EngineApplication;
import dev.authoraization.audit.AuditLog;
import dev.authoraization.audit.AuditQuery;
import dev.authoraization.support.FakeTools;
import dev.authoraization.support.TestTokens;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * With {@code engine.approvals.passkey.required=false} an approver decides with the password
 * session alone (the demo mode), audited as unverified; CSRF tokens are still required. Plain
 * HTTP, no browser: the pages work without script.
 */
@SpringBootTest(classes = EngineApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "engine.approvals.passkey.required=false")
@ActiveProfiles("test")
@Import(PasswordDemoApprovalIT.Fakes.class)
class PasswordDemoApprovalIT {

  static final String ADMIN_PASSWORD = "demo-" + java.util.UUID.randomUUID();
  static final String ALICE = TestTokens.token("alice", "developer");
  static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");
  static final JsonMapper JSON = JsonMapper.builder().build();

  @LocalServerPort
  int port;

  @Autowired
  AuditLog audit;

  @Autowired
  JdbcClient jdbc;

  final HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
      .followRedirects(HttpClient.Redirect.NEVER).build();

  @DynamicPropertySource
  static void engine(DynamicPropertyRegistry registry) {
    registry.add("engine.identity.issuers[0].uri", () -> TestTokens.ISSUER);
    registry.add("engine.identity.issuers[0].public-key-location", TestTokens::publicKeyLocation);
    registry.add("engine.identity.issuers[0].audiences[0]", () -> TestTokens.AUDIENCE);
    registry.add("engine.identity.embedded.users[0].username", () -> "admin");
    registry.add("engine.identity.embedded.users[0].password", () -> ADMIN_PASSWORD);
    registry.add("engine.identity.embedded.users[0].roles[0]", () -> "approver");
    registry.add("engine.identity.embedded.users[1].username", () -> "bob");
    registry.add("engine.identity.embedded.users[1].password", () -> ADMIN_PASSWORD);
    registry.add("engine.identity.embedded.users[1].roles[0]", () -> "approver");
  }

  @TestConfiguration(proxyBeanMethods = false)
  static class Fakes {
    @Bean
    FakeTools fakeTools() {
      return new FakeTools();
    }
  }

  @Test
  void approverDecidesWithThePasswordSessionAndTheVoteIsAuditedAsUnverified() throws Exception {
    JsonNode parked = JSON.readTree(send(HttpRequest.newBuilder(uri("/api/v1/tool-calls"))
        .header("Authorization", "Bearer " + ALICE).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"tool\":\"merge_change\",\"arguments\":{\"repo\":\"demo/webapp\"}}")))
        .body());
    String id = parked.path("approval_id").asString();
    String fingerprint = parked.path("fingerprint").asString();
    signIn();

    HttpResponse<String> page = send(HttpRequest.newBuilder(uri("/approvals/" + id)).GET());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("AZ-" + fingerprint.substring(0, 8).toUpperCase(), "data-mode=\"password\"");

    HttpResponse<String> withoutToken = post("/approvals/" + id + "/decision",
        Map.of("verdict", "approve", "fingerprint", fingerprint));
    assertThat(withoutToken.statusCode()).isEqualTo(403);

    HttpResponse<String> decided = post("/approvals/" + id + "/decision",
        Map.of("verdict", "approve", "fingerprint", fingerprint, "_csrf", csrf(page.body())));
    assertThat(decided.statusCode()).isEqualTo(302);
    assertThat(decided.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/approvals"));

    JsonNode done = JSON.readTree(send(HttpRequest.newBuilder(uri("/api/v1/approvals/" + id + "?wait=10"))
        .header("Authorization", "Bearer " + ALICE).GET()).body());
    assertThat(done.path("state").asString()).isEqualTo("EXECUTED");
    JsonNode evidence = audit.find(AuditQuery.any().approvalId(id), 20).stream()
        .filter(r -> r.entry().event().equals("approval.vote")).findFirst().orElseThrow().entry().evidence();
    assertThat(evidence.path("channel").asString()).isEqualTo("password-demo");
    assertThat(evidence.path("verified").asBoolean()).isFalse();
  }

  @Test
  void anApproverWhoseRoleWasRevokedCannotDecideWithTheOldSession() throws Exception {
    JsonNode parked = JSON.readTree(send(HttpRequest.newBuilder(uri("/api/v1/tool-calls"))
        .header("Authorization", "Bearer " + ALICE).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"tool\":\"merge_change\",\"arguments\":{\"repo\":\"demo/x\"}}")))
        .body());
    String id = parked.path("approval_id").asString();
    signIn("bob");
    HttpResponse<String> page = send(HttpRequest.newBuilder(uri("/approvals/" + id)).GET());
    jdbc.sql("UPDATE identity_user SET roles = 'developer' WHERE username = 'bob'").update();

    HttpResponse<String> refused = post("/approvals/" + id + "/decision", Map.of("verdict", "approve",
        "fingerprint", parked.path("fingerprint").asString(), "_csrf", csrf(page.body())));

    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.body()).contains("not an eligible approver", "Nothing was decided.");
    JsonNode status = JSON.readTree(send(HttpRequest.newBuilder(uri("/api/v1/approvals/" + id))
        .header("Authorization", "Bearer " + ALICE).GET()).body());
    assertThat(status.path("state").asString()).isEqualTo("PENDING");
  }

  private void signIn() throws Exception {
    signIn("admin");
  }

  private void signIn(String username) throws Exception {
    HttpResponse<String> form = send(HttpRequest.newBuilder(uri("/login")).GET());
    HttpResponse<String> login = post("/login",
        Map.of("username", username, "password", ADMIN_PASSWORD, "_csrf", csrf(form.body())));
    assertThat(login.statusCode()).isEqualTo(302);
    assertThat(login.headers().firstValue("Location").orElse("")).doesNotContain("error");
  }

  private HttpResponse<String> post(String path, Map<String, String> form) throws Exception {
    String body = form.entrySet().stream()
        .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return browser.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String csrf(String html) {
    Matcher m = CSRF.matcher(html);
    assertThat(m.find()).as("a CSRF token in the page").isTrue();
    return m.group(1);
  }

  private URI uri(String path) {
    return URI.create("http://localhost:" + port + path);
  }
}
