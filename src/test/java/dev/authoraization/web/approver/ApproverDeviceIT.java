package dev.authoraization.web.approver;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
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
import tools.jackson.databind.node.ObjectNode;

/**
 * The approver device in Debian's Chromium: sign in through the embedded provider, enrol a passkey
 * (a virtual authenticator), approve and deny real requests, and see that altered, replayed and
 * foreign confirmations are refused. The engine listens on a fixed free port because the passkey
 * origin ({@code http://localhost:PORT}) must be configured before it starts.
 */
@SpringBootTest(classes = EngineApplication.class, webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@ActiveProfiles("test")
@Import(ApproverDeviceIT.Fakes.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApproverDeviceIT {

  static final int PORT = freePort();
  static final String BASE = "http://localhost:" + PORT;
  static final String ADMIN_PASSWORD = password();
  static final String ALICE_PASSWORD = password();
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
    registry.add("engine.identity.embedded.users[0].username", () -> "admin");
    registry.add("engine.identity.embedded.users[0].password", () -> ADMIN_PASSWORD);
    registry.add("engine.identity.embedded.users[0].roles[0]", () -> "approver");
    registry.add("engine.identity.embedded.users[1].username", () -> "alice");
    registry.add("engine.identity.embedded.users[1].password", () -> ALICE_PASSWORD);
    registry.add("engine.identity.embedded.users[1].roles[0]", () -> "developer");
    registry.add("engine.approvals.passkey.origins[0]", () -> BASE);
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
    browser = Browser.start("approver");
    browser.addPasskeyAuthenticator();
    browser.prefer("dark");
  }

  @AfterAll
  static void stopBrowser() {
    if (browser != null) {
      browser.close();
    }
  }

  @Test
  @Order(1)
  void approverWithoutPasskeyIsSentToEnrolFirstThenSeesRequests() {
    browser.open(BASE + "/approvals");
    signIn("admin", ADMIN_PASSWORD);

    browser.waitForPath("/passkeys/enrol");
    browser.screenshot("enrol");
    browser.find("#create-passkey").click();

    browser.waitForPath("/approvals");
    assertThat(browser.text(".notice")).contains("Passkey enrolled");
    browser.screenshot("enrolled");
  }

  @Test
  @Order(2)
  void approvingWithThePasskeyRunsTheMergeAndKeepsAVerifiableAssertion() throws Exception {
    JsonNode parked = requestMerge("demo/webapp");
    String id = parked.path("approval_id").asString();
    String code = "AZ-" + parked.path("fingerprint").asString().substring(0, 8).toUpperCase();

    browser.open(BASE + "/approvals");
    WebElement link = browser.find("a[href='/approvals/" + id + "']");
    assertThat(link.getText()).contains(code, "merge_change", "demo/webapp", "alice");
    browser.screenshot("list");
    link.click();
    assertThat(browser.text("#binding-code")).isEqualTo(code);
    assertThat(browser.text(".facts")).contains("alice", "expected_head", "head-1", "min");
    assertThat(browser.text(".arguments")).contains("\"repo\" : \"demo/webapp\"");
    assertThat(browser.driver().getPageSource()).as("no inline script")
        .doesNotContainPattern("<script(?![^>]*\\bsrc=)").doesNotContain(" onclick=", " style=");
    browser.screenshot("request");
    browser.prefer("light");
    browser.screenshot("request-light");
    browser.prefer("dark");
    browser.screenshot("request-decision", "#decision");
    browser.find("#approve").click();

    browser.waitForPath("/approvals");
    assertThat(browser.text(".notice")).contains("Approved " + code);
    browser.screenshot("approved");
    assertThat(status(id, 10).path("state").asString()).isEqualTo("EXECUTED");

    AuditRecord vote = audit.find(AuditQuery.any().approvalId(id), 20).stream()
        .filter(r -> r.entry().event().equals("approval.vote")).findFirst().orElseThrow();
    JsonNode evidence = vote.entry().evidence();
    assertThat(evidence.path("channel").asString()).isEqualTo("passkey");
    assertThat(evidence.path("verified").asBoolean()).isTrue();
    JsonNode details = evidence.path("details");
    assertThat(details.path("challenge_text").asString())
        .startsWith("approve:" + parked.path("fingerprint").asString() + ":" + id + ":");
    assertThat(StoredAssertion.problem(details)).isEmpty();
    ObjectNode otherVerdict = (ObjectNode) details.deepCopy();
    otherVerdict.put("challenge_text", details.path("challenge_text").asString().replaceFirst("^approve", "deny"));
    assertThat(StoredAssertion.problem(otherVerdict)).isPresent();
    ObjectNode flipped = (ObjectNode) details.deepCopy();
    byte[] signature = Base64.getUrlDecoder().decode(details.path("signature").asString());
    signature[signature.length - 1] ^= 1;
    flipped.put("signature", Base64.getUrlEncoder().withoutPadding().encodeToString(signature));
    assertThat(StoredAssertion.problem(flipped)).contains("the signature does not verify");
  }

  @Test
  @Order(3)
  void denyingWithAReasonEndsTheRequestWithThatReason() throws Exception {
    String id = requestMerge("demo/webapp").path("approval_id").asString();

    browser.open(BASE + "/approvals/" + id);
    browser.find("#reason").sendKeys("Not during the release freeze <b>please</b>");
    browser.screenshot("deny-reason");
    browser.find("#deny").click();

    browser.waitForPath("/approvals");
    assertThat(browser.text(".notice")).startsWith("Denied AZ-");
    JsonNode denied = status(id, 0);
    assertThat(denied.path("state").asString()).isEqualTo("DENIED");
    assertThat(denied.path("reason").asString()).isEqualTo("Not during the release freeze <b>please</b>");
  }

  @Test
  @Order(4)
  void argumentsAreShownAsTextNeverAsMarkup() throws Exception {
    String id = requestMerge("demo/<img src=x id=injected>").path("approval_id").asString();

    browser.open(BASE + "/approvals/" + id);

    assertThat(browser.text("h1")).contains("demo/<img src=x id=injected>");
    assertThat(browser.text(".arguments")).contains("<img src=x id=injected>");
    assertThat(browser.driver().findElements(By.id("injected"))).isEmpty();
  }

  /** A resource that reads "demo/webapp" to a human but is something else to the machine. */
  @Test
  @Order(4)
  void directionAndInvisibleCharactersAreShownAsCodesWithAWarning() throws Exception {
    String id = requestMerge("demo/\u202Eppabew\u200B").path("approval_id").asString();

    browser.open(BASE + "/approvals");
    assertThat(browser.text("body")).contains("demo/[U+202E]ppabew[U+200B]", "contains hidden characters");
    browser.open(BASE + "/approvals/" + id);

    assertThat(browser.text("h1")).contains("demo/[U+202E]ppabew[U+200B]");
    assertThat(browser.text(".arguments")).contains("[U+202E]ppabew[U+200B]");
    assertThat(browser.text("#hidden-characters")).contains("invisible or direction-changing characters");
    browser.screenshot("hidden-characters-shown");
  }

  @Test
  @Order(5)
  void anAlteredFingerprintIsRefusedAndNothingIsDecided() throws Exception {
    String id = requestMerge("demo/webapp").path("approval_id").asString();

    browser.open(BASE + "/approvals/" + id);
    browser.script("document.querySelector('#decision [name=fingerprint]').value = arguments[0]", "ab".repeat(32));
    browser.find("#approve").click();

    assertThat(browser.text("#error")).contains("not signed for this exact action", "nothing was decided");
    browser.screenshot("altered-fingerprint-refused");
    assertThat(status(id, 0).path("state").asString()).isEqualTo("PENDING");
  }

  @Test
  @Order(6)
  void aReplayedAssertionOrOneForAnotherRequestIsRefused() throws Exception {
    String first = requestMerge("demo/webapp").path("approval_id").asString();
    String second = requestMerge("demo/other").path("approval_id").asString();

    // sign an approval of the first request but keep the form from being sent
    browser.open(BASE + "/approvals/" + first);
    browser.script("document.getElementById('decision').addEventListener('submit', e => {"
        + " if (e.target.elements.assertion.value) { window.captured = e.target.elements.assertion.value;"
        + " e.preventDefault(); } })");
    browser.find("#approve").click();
    String captured = (String) browser.waitFor().until(d -> browser.script("return window.captured"));

    browser.open(BASE + "/approvals/" + second);
    submitAssertion(captured);
    assertThat(browser.text("#error")).contains("not signed for this exact action");
    browser.screenshot("foreign-assertion-refused");

    browser.open(BASE + "/approvals/" + first);
    submitAssertion(captured);
    assertThat(browser.text("#error")).contains("not signed for this exact action");

    assertThat(status(first, 0).path("state").asString()).isEqualTo("PENDING");
    assertThat(status(second, 0).path("state").asString()).isEqualTo("PENDING");
  }

  @Test
  @Order(7)
  void anAssertionFromAPasskeyEnrolledForNobodyHereIsRefused() throws Exception {
    String id = requestMerge("demo/webapp").path("approval_id").asString();
    browser.open(BASE + "/approvals/" + id);
    browser.find("#approve");

    // a second credential on the same authenticator, created outside the engine, signs the
    // page's own challenge
    String foreign = (String) browser.driver().executeAsyncScript("const done = arguments[arguments.length - 1];"
        + "(async () => {"
        + " const options = JSON.parse(document.getElementById('decision').dataset.approveOptions);"
        + " const other = await navigator.credentials.create({ publicKey: {"
        + "  rp: { id: 'localhost', name: 'elsewhere' },"
        + "  user: { id: new Uint8Array(16).fill(7), name: 'mallory', displayName: 'mallory' },"
        + "  challenge: new Uint8Array(32), pubKeyCredParams: [{ type: 'public-key', alg: -7 }],"
        + "  authenticatorSelection: { residentKey: 'required', userVerification: 'required' } } });"
        + " options.allowCredentials = [{ type: 'public-key', id: other.toJSON().id }];"
        + " const signed = await navigator.credentials.get({"
        + "  publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });"
        + " done(JSON.stringify(signed.toJSON()));"
        + "})().catch(e => done('failed: ' + e));");
    assertThat(foreign).startsWith("{");
    submitAssertion(foreign);

    assertThat(browser.text("#error")).contains("not enrolled for you");
    browser.screenshot("foreign-passkey-refused");
    assertThat(status(id, 0).path("state").asString()).isEqualTo("PENDING");
  }

  @Test
  @Order(8)
  void pagesAreServedWithAStrictContentSecurityPolicyAndNeedASignIn() throws Exception {
    HttpResponse<String> anonymous = HTTP.send(HttpRequest.newBuilder(URI.create(BASE + "/approvals")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(302);
    assertThat(anonymous.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login"));
    assertThat(anonymous.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
        assertThat(csp).contains("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"));

    HttpResponse<String> forged = HTTP.send(HttpRequest.newBuilder(URI.create(BASE + "/approvals/x/decision"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("verdict=approve")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(forged.statusCode()).isIn(302, 403);
  }

  @Test
  @Order(9)
  void aDeveloperIsToldTheyAreNotAnApprover() {
    browser.driver().manage().deleteAllCookies();
    browser.open(BASE + "/approvals");
    signIn("alice", ALICE_PASSWORD);

    assertThat(browser.text("h1")).isEqualTo("Not an approver");
    assertThat(browser.text(".error")).contains("only users with the role approver");
    browser.screenshot("developer-forbidden");
    Object status = browser.driver().executeAsyncScript("const done = arguments[arguments.length - 1];"
        + " fetch('/approvals').then(r => done(r.status), e => done(String(e)));");
    assertThat(status).isEqualTo(403L);
  }

  private static void signIn(String username, String password) {
    browser.waitForPath("/login");
    browser.find("#username").sendKeys(username);
    browser.find("#password").sendKeys(password);
    browser.driver().findElement(By.cssSelector("button[type=submit]")).click();
  }

  private static void submitAssertion(String assertion) {
    browser.find("#approve");
    browser.script("const form = document.getElementById('decision');"
        + " form.elements.assertion.value = arguments[0];"
        + " form.requestSubmit(document.getElementById('approve'));", assertion);
  }

  private JsonNode requestMerge(String repo) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(BASE + "/api/v1/tool-calls"))
        .header("Authorization", "Bearer " + ALICE).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"tool\":\"merge_change\",\"arguments\":{\"repo\":\"" + repo + "\"}}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(202);
    return JSON.readTree(response.body());
  }

  private JsonNode status(String id, int wait) throws Exception {
    HttpResponse<String> response = HTTP.send(
        HttpRequest.newBuilder(URI.create(BASE + "/api/v1/approvals/" + id + "?wait=" + wait))
            .header("Authorization", "Bearer " + ALICE).build(), HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String password() {
    byte[] bytes = new byte[18];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
