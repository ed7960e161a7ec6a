package dev.authoraization.web.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.EngineApplication;
import dev.authoraization.support.Browser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole story in Debian's Chromium, on the embedded defaults (built-in OpenID provider,
 * offline planner, shipped policy, sandbox forge with GitHub App credentials): alice signs in,
 * lists the open bugs, asks to merge a pull request and waits; admin approves on a second
 * browser with a passkey; alice's page unlocks with the merge; the sandbox repository has the
 * merge commit; the audit page shows the chain verified. Every page, response, cookie and
 * storage entry the browsers saw is then searched for credentials. (The htmx POST answers and
 * the event streams are searched as the page they were swapped into.)
 */
@SpringBootTest(classes = EngineApplication.class, webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@ActiveProfiles("test")
class ChatEndToEndIT {

  static final int PORT = freePort();
  static final String BASE = "http://localhost:" + PORT;
  static final String ADMIN_PASSWORD = password();
  static final String ALICE_PASSWORD = password();
  static final String HOSTILE_TITLE = "<img src=x onerror=alert(1)> 404 page says \"Not foud\"";

  @TempDir
  static Path dataDir;

  static Browser alice;
  static Browser admin;

  @Autowired
  JdbcTemplate jdbc;

  /** Everything the browsers received, to search for credentials at the end. */
  final List<String> seen = new ArrayList<>();

  @DynamicPropertySource
  static void embeddedDefaults(DynamicPropertyRegistry registry) {
    registry.add("server.port", () -> PORT);
    registry.add("engine.identity.embedded.issuer", () -> BASE);
    registry.add("engine.identity.embedded.redirect-uris[0]", () -> BASE + "/login/oauth2/code/engine");
    registry.add("engine.identity.embedded.key-dir", () -> dataDir.resolve("identity").toString());
    registry.add("engine.identity.embedded.users[0].username", () -> "admin");
    registry.add("engine.identity.embedded.users[0].password", () -> ADMIN_PASSWORD);
    registry.add("engine.identity.embedded.users[0].roles[0]", () -> "approver");
    registry.add("engine.identity.embedded.users[1].username", () -> "alice");
    registry.add("engine.identity.embedded.users[1].password", () -> ALICE_PASSWORD);
    registry.add("engine.identity.embedded.users[1].roles[0]", () -> "developer");
    registry.add("engine.approvals.passkey.origins[0]", () -> BASE);
    registry.add("engine.policy.path", () -> "");
    registry.add("engine.github.credentials", () -> "app");
    registry.add("engine.github.token", () -> "");
    registry.add("engine.github.api-url", () -> BASE + "/sandbox/github");
    registry.add("engine.sandbox.data-dir", () -> dataDir.resolve("sandbox").toString());
    registry.add("spring.datasource.url", () -> "jdbc:h2:mem:chat-e2e;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;"
        + "DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1");
  }

  @BeforeAll
  static void startBrowsers() {
    alice = Browser.start("chat");
    alice.prefer("dark");
    admin = Browser.start("chat-approver");
    admin.addPasskeyAuthenticator();
  }

  @AfterAll
  static void stopBrowsers() {
    if (alice != null) {
      alice.close();
    }
    if (admin != null) {
      admin.close();
    }
  }

  @Test
  void developerAsksApproverConfirmsWithPasskeyAndTheMergeLandsWithNoCredentialInTheBrowser() throws Exception {
    // a forge issue anyone could have written, with markup in its title
    jdbc.update("UPDATE sandbox_issue SET title = ? WHERE number = 3 AND repository_id = "
        + "(SELECT id FROM sandbox_repository WHERE owner = 'demo' AND name = 'webapp')", HOSTILE_TITLE);

    // 1. alice signs in through the built-in provider (authorization code + PKCE)
    alice.open(BASE + "/chat");
    signIn(alice, "alice", ALICE_PASSWORD);
    alice.waitForPath("/chat");
    assertThat(alice.text(".bar .mode")).contains("alice", "developer");
    assertThat(alice.driver().findElements(By.cssSelector("a[href='/audit']"))).as("no audit link for a developer")
        .isEmpty();
    alice.screenshot("signed-in");
    collect(alice);

    // 2. the open bugs, as a table; the hostile title is text
    say("show the open bugs in demo/webapp");
    alice.find("table.results.issues");
    String table = alice.text("table.results.issues");
    assertThat(table).contains("Login redirects to /null", "Server crashes when PORT is not a number", HOSTILE_TITLE,
        "bug");
    assertThat(alice.driver().findElements(By.cssSelector("#log img"))).as("no markup from the forge").isEmpty();
    assertThat(alice.text(".card.tool .tool-name")).isEqualTo("list_issues");
    assertThat(alice.text(".card.tool .decision")).isEqualToIgnoringCase("allowed");
    awaitComposerReady();
    // the answer streamed: piece by piece into one bubble, below the call's card and table, not repeated
    List<WebElement> answers = alice.driver().findElements(By.cssSelector(".msg.assistant"));
    assertThat(answers).singleElement().satisfies(a -> assertThat(a.getText()).contains("open bugs in demo/webapp"));
    assertThat(answers.getFirst().findElements(By.cssSelector(".piece"))).as("pieces of the streamed answer")
        .hasSizeGreaterThan(5);
    assertThat(alice.script("return !!(document.querySelector('table.results.issues')"
        + ".compareDocumentPosition(arguments[0]) & Node.DOCUMENT_POSITION_FOLLOWING)", answers.getFirst())).isEqualTo(true);
    alice.screenshot("open-bugs", "table.results.issues");
    collect(alice);

    // 3. a fresh pull request from the sandbox's prime button, then the merge waits for a human
    alice.find("#prime-demo").click();
    String primed = alice.waitFor().until(ExpectedConditions.visibilityOfElementLocated(
        By.xpath("//p[contains(@class,'notice') and contains(., 'is ready in demo/webapp')]"))).getText();
    Matcher number = Pattern.compile("#(\\d+)").matcher(primed);
    assertThat(number.find()).isTrue();
    int pull = Integer.parseInt(number.group(1));
    say("merge PR " + pull);
    String approvalId = alice.find(".card.approval.open").getAttribute("id").substring("approval-".length());
    String code = alice.text(".card.approval.open .binding-code");
    assertThat(code).matches("AZ-[0-9A-F]{8}");
    assertThat(alice.text(".card.approval.open")).contains("merge_pull_request", "alice");
    alice.waitFor().until(d -> alice.text(".card.approval.open .countdown").matches("\\d+ min \\d+ s left"));
    assertThat(alice.script("return document.getElementById('composer-fields').disabled"))
        .as("composer locked: %s", alice.script("return document.getElementById('log').outerHTML + document.getElementById('composer').outerHTML"))
        .isEqualTo(true);
    assertThat(alice.text("#composer-status")).contains("waits for a human approval");
    // the approver link's QR code is an image the browser loaded, with a text alternative
    alice.waitFor().until(d -> Boolean.TRUE.equals(alice.script(
        "const i = document.querySelector('.card.approval.open .approver-qr img'); return i != null && i.complete && i.naturalWidth > 0")));
    assertThat(alice.find(".card.approval.open .approver-qr img").getAttribute("alt")).contains("approver page link");
    alice.screenshot("waiting-for-approval", ".card.approval.open");
    collect(alice);

    // 4. admin, on another device, signs in, enrols a passkey and approves the same code
    admin.open(BASE + "/approvals");
    signIn(admin, "admin", ADMIN_PASSWORD);
    admin.waitForPath("/passkeys/enrol");
    admin.find("#create-passkey").click();
    admin.waitForPath("/approvals");
    admin.open(BASE + "/approvals/" + approvalId);
    assertThat(admin.text("#binding-code")).isEqualTo(code);
    // what the approver sees: the pull request as the forge described it, and alice's chat line
    assertThat(admin.text("#context")).contains("title: Add demo-change-", "author: alice", "base: main",
        "head: demo-change-", "changed_files: 1");
    assertThat(admin.text("#asked-with")).isEqualTo("merge PR " + pull);
    admin.screenshot("approver-sees-code");
    admin.find("#approve").click();
    admin.waitForPath("/approvals");
    assertThat(admin.text(".notice")).contains("Approved " + code);
    collect(admin);

    // 5. alice's page unlocks with the result, pushed by the approval's event
    awaitComposerReady();
    assertThat(alice.text("#approval-" + approvalId)).contains("executed");
    assertThat(alice.driver().findElements(By.cssSelector(".card.approval.open"))).isEmpty();
    List<String> replies = alice.driver().findElements(By.cssSelector(".msg.assistant")).stream()
        .map(e -> e.getText()).toList();
    assertThat(replies.getLast()).containsIgnoringCase("merged");
    assertThat(alice.script("const cards = document.querySelectorAll('.card.tool');"
        + " const last = [...document.querySelectorAll('.msg.assistant')].pop();"
        + " return cards[cards.length - 1].textContent.toLowerCase().includes('executed')"
        + " && !!(cards[cards.length - 1].compareDocumentPosition(last) & Node.DOCUMENT_POSITION_FOLLOWING)"))
        .as("the executed call's card comes before the answer that streamed after it").isEqualTo(true);
    alice.script("window.scrollTo(0, document.body.scrollHeight)");
    alice.screenshot("merged");
    collect(alice);

    // 6. the sandbox repository has the merge commit
    try (Repository repo = new FileRepository(dataDir.resolve("sandbox/repos/demo/webapp.git").toFile());
        RevWalk walk = new RevWalk(repo)) {
      RevCommit head = walk.parseCommit(repo.resolve("refs/heads/main"));
      assertThat(head.getParentCount()).as("a merge commit").isEqualTo(2);
      assertThat(head.getFullMessage()).contains("#" + pull);
    }

    // 7. the audit page: not for alice; for admin, with the chain verified
    Object status = alice.driver().executeAsyncScript("const done = arguments[arguments.length - 1];"
        + " fetch('/audit').then(r => done(r.status), e => done(String(e)));");
    assertThat(status).isEqualTo(403L);
    admin.open(BASE + "/audit");
    admin.waitForPath("/audit");
    assertThat(admin.text("#chain-status")).startsWith("Chain verified");
    assertThat(admin.text("table.records")).contains("merge_pull_request", "alice");
    admin.screenshot("audit-verified");
    collect(admin);

    // 8. a page reloaded while a call waits shows it still waiting; cancelling unlocks it
    alice.find("#prime-demo").click();
    alice.waitFor().until(d -> alice.driver().findElements(By.cssSelector("p.notice")).size() == 2);
    say("merge PR " + (pull + 1));
    String second = alice.find(".card.approval.open").getAttribute("id");
    alice.driver().navigate().refresh();
    assertThat(alice.find(".card.approval.open").getAttribute("id")).isEqualTo(second);
    assertThat(alice.script("return document.getElementById('composer-fields').disabled")).isEqualTo(true);
    var cancel = alice.find(".card.approval.open .cancel");
    alice.script("arguments[0].scrollIntoView({block: 'center'})", cancel);
    cancel.click();
    awaitComposerReady();
    assertThat(alice.text("#" + second)).contains("cancelled");
    List<String> afterCancel = alice.driver().findElements(By.cssSelector(".msg.assistant")).stream()
        .map(e -> e.getText()).toList();
    assertThat(afterCancel.getLast()).containsIgnoringCase("cancel");
    alice.script("window.scrollTo(0, document.body.scrollHeight)");
    alice.screenshot("cancelled");
    collect(alice);

    // 9. no credential anywhere the browsers could see
    assertNoCredentialSeen();
  }

  private void say(String text) {
    awaitComposerReady();
    alice.find("#message").sendKeys(text);
    alice.find("#send").click();
  }

  private void awaitComposerReady() {
    // read in one script: the fieldset is swapped out of band while this waits
    alice.waitFor().until(d -> Boolean.FALSE.equals(
        alice.script("const f = document.getElementById('composer-fields'); return f ? f.disabled : null")));
  }

  private static void signIn(Browser browser, String username, String password) {
    browser.waitForPath("/login");
    browser.find("#username").sendKeys(username);
    browser.find("#password").sendKeys(password);
    browser.driver().findElement(By.cssSelector("button[type=submit]")).click();
  }

  /**
   * What this browser holds now: the page as rendered (SSE and htmx answers included), every
   * cookie, local and session storage, and, fetched again with the same cookies, every same-origin
   * resource it loaded with its response headers.
   */
  @SuppressWarnings("unchecked")
  private void collect(Browser browser) {
    seen.add(browser.driver().getPageSource());
    for (Cookie cookie : browser.driver().manage().getCookies()) {
      seen.add(cookie.getName() + "=" + cookie.getValue());
    }
    seen.add(String.valueOf(browser.script("return JSON.stringify(Object.assign({}, localStorage))")));
    seen.add(String.valueOf(browser.script("return JSON.stringify(Object.assign({}, sessionStorage))")));
    List<String> fetched = (List<String>) browser.driver().executeAsyncScript(
        "const done = arguments[arguments.length - 1];"
        + "const urls = [location.href].concat(performance.getEntriesByType('resource')"
        + "  .filter(e => e.initiatorType !== 'xmlhttprequest').map(e => e.name))"
        + "  .filter(u => u.startsWith(location.origin) && !u.includes('/chat/turns/'));"
        + "Promise.all(urls.map(u => fetch(u, { credentials: 'same-origin' }).then(async r => u + '\\n'"
        + "  + [...r.headers].map(h => h.join(': ')).join('\\n') + '\\n\\n' + await r.text())))"
        + ".then(done, e => done(['failed: ' + e]));");
    assertThat(fetched).noneMatch(f -> f.startsWith("failed: "));
    seen.addAll(fetched);
  }

  private void assertNoCredentialSeen() throws IOException {
    Set<String> secrets = new LinkedHashSet<>();
    // every token the built-in provider issued to the web UI (access, refresh, ID token)
    jdbc.queryForList("SELECT access_token_value, refresh_token_value, oidc_id_token_value "
        + "FROM oauth2_authorization").forEach(row -> row.values().stream().filter(v -> v != null)
        .map(v -> v instanceof byte[] bytes ? new String(bytes, java.nio.charset.StandardCharsets.UTF_8) : v.toString())
        .filter(v -> v.length() > 20).forEach(secrets::add));
    assertThat(secrets).as("the sign-in issued tokens").isNotEmpty();
    // the sandbox GitHub App's private key, in slices of its base64 body
    try (Stream<Path> files = Files.walk(dataDir)) {
      for (Path pem : files.filter(p -> p.getFileName().toString().equals("app-private-key.pem")).toList()) {
        String body = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        for (int i = 0; i + 40 <= body.length(); i += 40) {
          secrets.add(body.substring(i, i + 40));
        }
      }
    }
    assertThat(seen).isNotEmpty();
    String all = String.join("\n", seen);
    for (String secret : secrets) {
      assertThat(all).as("a credential reached a browser").doesNotContain(secret);
    }
    // installation tokens are random (only their hashes are kept): look for their shape instead
    assertThat(all).doesNotContainPattern("gh[opsur]_[A-Za-z0-9]{20,}")
        .doesNotContainPattern("eyJ[A-Za-z0-9_-]{10,}\\.eyJ[A-Za-z0-9_-]{10,}")
        .doesNotContainPattern("-----BEGIN [A-Z ]*PRIVATE KEY-----"); // any PEM private key: PKCS#8, RSA, EC, encrypted
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String password() {
    byte[] bytes = new byte[18];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
