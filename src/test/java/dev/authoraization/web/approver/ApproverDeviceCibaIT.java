package dev.authoraization.web.approver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.authoraization.EngineApplication;
import dev.authoraization.approval.passkey.StoredAssertion;
import dev.authoraization.audit.AuditLog;
import dev.authoraization.audit.AuditQuery;
import dev.authoraization.audit.AuditRecord;
import dev.authoraization.support.Browser;
import dev.authoraization.support.FakeTools;
import dev.authoraization.support.TestTokens;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The approver device in Chromium with the embedded default of approvals on: the engine's CIBA
 * client asks the embedded CIBA endpoint, the page shows the backchannel request, the passkey
 * confirmation completes it, the ping wakes the client, and the vote counts with evidence channel
 * {@code ciba} whose signed ID token carries the passkey assertion, still verifiable from the audit.
 */
@SpringBootTest(classes = EngineApplication.class, webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@ActiveProfiles("test")
@Import(ApproverDeviceCibaIT.Fakes.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApproverDeviceCibaIT {

  static final int PORT = freePort();
  static final String BASE = "http://localhost:" + PORT;
  static final String ADMIN_PASSWORD = "admin-" + UUID.randomUUID();
  static final String ALICE = TestTokens.token("alice", "developer");
  static final JsonMapper JSON = JsonMapper.builder().build();
  static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  static Browser browser;

  @Autowired
  AuditLog audit;

  @DynamicPropertySource
  static void engine(DynamicPropertyRegistry registry) {
    registry.add("server.port", () -> PORT);
    registry.add("engine.identity.issuers[0].uri", () -> TestTokens.ISSUER);
    registry.add("engine.identity.issuers[0].public-key-location", TestTokens::publicKeyLocation);
    registry.add("engine.identity.issuers[0].audiences[0]", () -> TestTokens.AUDIENCE);
    registry.add("engine.identity.embedded.issuer", () -> BASE);
    registry.add("engine.identity.embedded.key-dir", () -> tempDir());
    registry.add("engine.identity.embedded.users[0].username", () -> "admin");
    registry.add("engine.identity.embedded.users[0].password", () -> ADMIN_PASSWORD);
    registry.add("engine.identity.embedded.users[0].roles[0]", () -> "approver");
    registry.add("engine.approvals.passkey.origins[0]", () -> BASE);
    registry.add("engine.approvals.ciba.embedded", () -> "true");
    registry.add("spring.datasource.url", () -> "jdbc:h2:mem:approver-ciba;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;"
        + "DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1");
  }

  @TestConfiguration(proxyBeanMethods = false)
  static class Fakes {
    @Bean
    FakeTools fakeTools() {
      return new FakeTools();
    }
  }

  @BeforeAll
  static void startBrowser() {
    browser = Browser.start("approver-ciba");
    browser.addPasskeyAuthenticator();
  }

  @AfterAll
  static void stopBrowser() {
    if (browser != null) {
      browser.close();
    }
  }

  @Test
  @Order(1)
  void approverEnrolsAPasskey() {
    browser.open(BASE + "/approvals");
    browser.waitForPath("/login");
    browser.find("#username").sendKeys("admin");
    browser.find("#password").sendKeys(ADMIN_PASSWORD);
    browser.driver().findElement(By.cssSelector("button[type=submit]")).click();
    browser.waitForPath("/passkeys/enrol");
    browser.find("#create-passkey").click();
    browser.waitForPath("/approvals");
    assertThat(browser.text(".notice")).contains("Passkey enrolled");
  }

  @Test
  @Order(2)
  void approvingWithThePasskeyCountsOnlyThroughVerifiedCibaTokensCarryingTheAssertion() throws Exception {
    JsonNode parked = requestMerge();
    String id = parked.path("approval_id").asString();
    String code = "AZ-" + parked.path("fingerprint").asString().substring(0, 8).toUpperCase();

    openWhenAskedThroughCiba(id);
    assertThat(browser.text(".facts")).contains("engine-ciba", code);
    browser.find("#approve").click();

    browser.waitForPath("/approvals");
    assertThat(browser.text(".notice")).contains("Approved " + code, "through CIBA");
    assertThat(status(id, 15).path("state").asString()).isEqualTo("EXECUTED");
    AuditRecord vote = audit.find(AuditQuery.any().approvalId(id), 20).stream()
        .filter(r -> r.entry().event().equals("approval.vote")).findFirst().orElseThrow();
    JsonNode evidence = vote.entry().evidence();
    assertThat(evidence.path("channel").asString()).isEqualTo("ciba");
    assertThat(evidence.path("verified").asBoolean()).isTrue();
    assertThat(evidence.path("details").path("sub").asString()).isEqualTo("admin");
    JsonNode passkey = evidence.path("details").path("approval_evidence");
    assertThat(passkey.path("channel").asString()).isEqualTo("passkey");
    assertThat(passkey.path("details").path("challenge_text").asString())
        .startsWith("approve:" + parked.path("fingerprint").asString() + ":" + id + ":");
    assertThat(StoredAssertion.problem(passkey.path("details"))).isEmpty();
  }

  @Test
  @Order(3)
  void denyingWithThePasskeyEndsTheRequestThroughCibaAndTheTypedReasonReachesTheWaitingCall() throws Exception {
    String id = requestMerge().path("approval_id").asString();

    openWhenAskedThroughCiba(id);
    browser.find("#reason").sendKeys("Not during the freeze; ask J\u00f6rg");
    browser.find("#deny").click();

    browser.waitForPath("/approvals");
    JsonNode done = status(id, 15);
    assertThat(done.path("state").asString()).isEqualTo("DENIED");
    // typed on the page, carried by the embedded provider's access_denied to the CIBA client
    assertThat(done.path("reason").asString()).isEqualTo("Not during the freeze; ask J\u00f6rg");
  }

  private void openWhenAskedThroughCiba(String id) {
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> {
      browser.open(BASE + "/approvals/" + id);
      return browser.driver().getPageSource().contains("Asked through CIBA");
    });
  }

  private JsonNode requestMerge() throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(BASE + "/api/v1/tool-calls"))
        .header("Authorization", "Bearer " + ALICE).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"tool\":\"merge_change\",\"arguments\":{\"repo\":\"demo/ciba-" + UUID.randomUUID() + "\"}}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    return JSON.readTree(response.body());
  }

  private JsonNode status(String id, int wait) throws Exception {
    HttpResponse<String> response = HTTP.send(
        HttpRequest.newBuilder(URI.create(BASE + "/api/v1/approvals/" + id + "?wait=" + wait))
            .header("Authorization", "Bearer " + ALICE).build(), HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }

  private static String tempDir() {
    try {
      return Files.createTempDirectory("approver-ciba").resolve("keys").toString();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
