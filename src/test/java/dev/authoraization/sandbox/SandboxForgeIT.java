package dev.authoraization.sandbox;

import static dev.authoraization.sandbox.SandboxHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.context.ConfigurationPropertiesAutoConfiguration;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration;
import org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.error.ErrorMvcAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The sandbox forge over real HTTP, driven like a GitHub client: App JWT, scoped installation
 * token, then the endpoints. Every response is also checked against GitHub's description.
 * Runs with the sandbox's own configuration and a few auto-configurations only, so it does not
 * depend on the rest of the engine's beans.
 */
@SpringBootTest(classes = SandboxForgeIT.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SandboxForgeIT {

  /**
   * Only the auto-configuration the sandbox needs (web server, MVC, JDBC, Flyway, security), so
   * this test keeps starting whatever else joins the engine (model clients, identity providers).
   */
  @SpringBootConfiguration
  @ImportAutoConfiguration({
      PropertyPlaceholderAutoConfiguration.class, ConfigurationPropertiesAutoConfiguration.class,
      JettyServletWebServerAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
      WebMvcAutoConfiguration.class, ErrorMvcAutoConfiguration.class,
      HttpMessageConvertersAutoConfiguration.class, JacksonAutoConfiguration.class,
      DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
      JdbcTemplateAutoConfiguration.class, TransactionAutoConfiguration.class, FlywayAutoConfiguration.class,
      SecurityAutoConfiguration.class, ServletWebSecurityAutoConfiguration.class,
      SecurityFilterAutoConfiguration.class})
  @Import({SandboxConfiguration.class, SandboxController.class})
  static class App {
    @Bean
    TestClock clock() {
      return new TestClock();
    }

    /** Stands in for the engine's main chain: it refuses everything it sees. */
    @Bean
    @Order(100)
    SecurityFilterChain engineChain(HttpSecurity http) throws Exception {
      return http.authorizeHttpRequests(a -> a.anyRequest().denyAll()).build();
    }
  }

  /** The system clock, moved forward on demand to let tokens expire without waiting. */
  static final class TestClock extends Clock {
    final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.now().plus(offset.get());
    }
  }

  @TempDir
  static Path dataDir;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("engine.sandbox.data-dir", () -> dataDir.toString());
    registry.add("spring.datasource.url", () -> "jdbc:h2:mem:sandbox-it;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1");
  }

  @LocalServerPort
  int port;

  @Autowired
  SandboxDemo demo;

  @Autowired
  SandboxGit git;

  @Autowired
  SandboxStore store;

  @Autowired
  TestClock clock;

  SandboxHttp gh;
  PrivateKey appKey;

  @BeforeEach
  void client() {
    gh = new SandboxHttp("http://localhost:" + port + "/sandbox/github");
    appKey = SandboxHttp.readPrivateKey(dataDir.resolve("app-private-key.pem"));
  }

  String token(String body) {
    HttpResponse<String> r = gh.send("POST", "/app/installations/1/access_tokens", SandboxHttp.appJwt(appKey), body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return json(r).get("token").asString();
  }

  String webappToken(String permissions) {
    return token("{\"repositories\":[\"webapp\"],\"permissions\":" + permissions + "}");
  }

  int numberOf(String title, String token) {
    JsonNode items = json(gh.get("/repos/demo/webapp/issues?state=all&per_page=100", token));
    for (JsonNode item : items) {
      if (item.get("title").asString().equals(title)) {
        return item.get("number").asInt();
      }
    }
    throw new AssertionError("no issue titled " + title);
  }

  String mainTip() {
    return git.tip("demo", "webapp", "main").orElseThrow();
  }

  // --- keys and tokens --------------------------------------------------------------------------

  @Test
  void firstStartWritesTheAppPrivateKeyReadableByItsOwnerOnly() throws Exception {
    Path key = dataDir.resolve("app-private-key.pem");
    assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("personal-token"))))
        .isEqualTo("rw-------");
  }

  @Test
  void appJwtBuysATokenNarrowedToOneRepositoryAndThePermissionsAskedFor() {
    HttpResponse<String> r = gh.send("POST", "/app/installations/1/access_tokens", SandboxHttp.appJwt(appKey),
        "{\"repositories\":[\"webapp\"],\"permissions\":{\"issues\":\"read\"}}");
    assertThat(r.statusCode()).isEqualTo(201);
    JsonNode body = json(r);
    assertThat(body.get("token").asString()).startsWith("ghs_").hasSizeGreaterThanOrEqualTo(40);
    assertThat(body.get("repository_selection").asString()).isEqualTo("selected");
    assertThat(body.get("permissions").get("issues").asString()).isEqualTo("read");
    assertThat(body.get("permissions").has("contents")).isFalse();
    assertThat(body.get("repositories").get(0).get("full_name").asString()).isEqualTo("demo/webapp");
    assertThat(Instant.parse(body.get("expires_at").asString()))
        .isBetween(Instant.now().plus(Duration.ofMinutes(59)), Instant.now().plus(Duration.ofMinutes(61)));
  }

  @Test
  void appJwtWithTheAppIdAsANumberIsAcceptedAndAnotherAppIdIsNot() {
    Instant iat = Instant.now().minusSeconds(60);
    assertThat(gh.send("POST", "/app/installations/1/access_tokens",
        SandboxHttp.appJwt(appKey, iat, Duration.ofMinutes(9), 1L), "{}").statusCode()).isEqualTo(201);
    assertThat(gh.send("POST", "/app/installations/1/access_tokens",
        SandboxHttp.appJwt(appKey, iat, Duration.ofMinutes(9), "2"), "{}").statusCode()).isEqualTo(401);
  }

  @Test
  void appJwtSignedWithAnotherKeyIsRefused() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    String forged = SandboxHttp.appJwt(generator.generateKeyPair().getPrivate());
    HttpResponse<String> r = gh.send("POST", "/app/installations/1/access_tokens", forged, "{}");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(json(r).get("documentation_url").isString()).isTrue();
  }

  @Test
  void expiredAppJwtIsRefused() {
    String expired = SandboxHttp.appJwt(appKey, Instant.now().minus(Duration.ofMinutes(15)), Duration.ofMinutes(9));
    assertThat(gh.send("POST", "/app/installations/1/access_tokens", expired, "{}").statusCode()).isEqualTo(401);
  }

  @Test
  void appJwtLivingLongerThanTenMinutesIsRefused() {
    String tooLong = SandboxHttp.appJwt(appKey, Instant.now().minusSeconds(30), Duration.ofMinutes(30));
    assertThat(gh.send("POST", "/app/installations/1/access_tokens", tooLong, "{}").statusCode()).isEqualTo(401);
  }

  @Test
  void installationTokenCannotBuyAnotherToken() {
    String token = webappToken("{\"issues\":\"read\"}");
    assertThat(gh.send("POST", "/app/installations/1/access_tokens", token, "{}").statusCode()).isEqualTo(401);
  }

  @Test
  void permissionsBeyondTheInstallationOrWithBadLevelsAreRefused() {
    String jwt = SandboxHttp.appJwt(appKey);
    assertThat(gh.send("POST", "/app/installations/1/access_tokens", jwt,
        "{\"permissions\":{\"administration\":\"write\"}}").statusCode()).isEqualTo(422);
    assertThat(gh.send("POST", "/app/installations/1/access_tokens", jwt,
        "{\"permissions\":{\"issues\":\"admin\"}}").statusCode()).isEqualTo(422);
    assertThat(gh.send("POST", "/app/installations/1/access_tokens", jwt,
        "{\"repositories\":[\"no-such-repo\"]}").statusCode()).isEqualTo(422);
    assertThat(gh.send("POST", "/app/installations/2/access_tokens", jwt, "{}").statusCode()).isEqualTo(404);
  }

  @Test
  void revokedTokenIsRefused() {
    String token = webappToken("{\"issues\":\"read\"}");
    assertThat(gh.get("/repos/demo/webapp", token).statusCode()).isEqualTo(200);
    assertThat(gh.send("DELETE", "/installation/token", token, null).statusCode()).isEqualTo(204);
    HttpResponse<String> r = gh.get("/repos/demo/webapp", token);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(json(r).get("message").asString()).isEqualTo("Bad credentials");
  }

  @Test
  void expiredInstallationTokenIsRefused() {
    String token = webappToken("{\"issues\":\"read\"}");
    clock.offset.set(Duration.ofMinutes(61));
    try {
      assertThat(gh.get("/repos/demo/webapp/issues", token).statusCode()).isEqualTo(401);
    } finally {
      clock.offset.set(Duration.ZERO);
    }
  }

  @Test
  void requestsWithoutOrWithUnknownTokensAreRefused() {
    assertThat(gh.get("/repos/demo/webapp", null).statusCode()).isEqualTo(401);
    HttpResponse<String> r = gh.get("/repos/demo/webapp", "ghs_" + "x".repeat(40));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(json(r).get("message").asString()).isEqualTo("Bad credentials");
  }

  @Test
  void tokenForAnotherRepositoryCannotReadThisOne() {
    if (store.repository("demo", "other").isEmpty()) {
      git.create("demo", "other", "main");
      git.commit("demo", "other", "main", Map.of("README.md", "other\n"), "Initial commit", git.committer());
      store.createRepository("demo", "other", "another repository", "main");
    }
    String other = token("{\"repositories\":[\"other\"],\"permissions\":{\"issues\":\"write\",\"contents\":\"write\"}}");
    assertThat(gh.get("/repos/demo/other", other).statusCode()).isEqualTo(200);
    HttpResponse<String> r = gh.get("/repos/demo/webapp/issues", other);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(json(r).get("message").asString()).isEqualTo("Resource not accessible by integration");
    JsonNode listed = json(gh.get("/installation/repositories", other));
    assertThat(listed.get("total_count").asInt()).isEqualTo(1);
    assertThat(listed.get("repositories").get(0).get("name").asString()).isEqualTo("other");
  }

  @Test
  void sandboxChainServesOnlyItsOwnPathsAndTheEngineChainKeepsTheRest() throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    var outside = http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://localhost:" + port + "/api/v1/anything")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(outside.statusCode()).isIn(401, 403);
    // a POST without any CSRF token reaches the sandbox: GitHub clients send none
    assertThat(gh.send("POST", "/app/installations/1/access_tokens", SandboxHttp.appJwt(appKey), "{}").statusCode())
        .isEqualTo(201);
  }

  @Test
  void personalTokenHasFullAccess() throws Exception {
    String pat = Files.readString(dataDir.resolve("personal-token")).strip();
    assertThat(gh.get("/repos/demo/webapp", pat).statusCode()).isEqualTo(200);
    assertThat(gh.get("/repos/demo/webapp/pulls", pat).statusCode()).isEqualTo(200);
  }

  @Test
  void repositoryInstallationIsFoundWithAnAppJwt() {
    HttpResponse<String> r = gh.get("/repos/demo/webapp/installation", SandboxHttp.appJwt(appKey));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r).get("id").asLong()).isEqualTo(1);
    assertThat(json(r).get("app_id").asLong()).isEqualTo(1);
    assertThat(gh.get("/repos/demo/nope/installation", SandboxHttp.appJwt(appKey)).statusCode()).isEqualTo(404);
    JsonNode app = json(gh.get("/app", SandboxHttp.appJwt(appKey)));
    assertThat(app.get("id").asLong()).isEqualTo(1);
    JsonNode installation = json(gh.get("/app/installations/1", SandboxHttp.appJwt(appKey)));
    assertThat(installation.get("access_tokens_url").asString()).endsWith("/app/installations/1/access_tokens");
    assertThat(gh.get("/app/installations/7", SandboxHttp.appJwt(appKey)).statusCode()).isEqualTo(404);
    assertThat(gh.get("/app", webappToken("{\"issues\":\"read\"}")).statusCode()).isEqualTo(401);
  }

  // --- repositories, issues, contents ----------------------------------------------------------

  @Test
  void unknownRepositoryAndIssueAreNotFound() {
    String token = token("{}");
    HttpResponse<String> r = gh.get("/repos/demo/nope", token);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(json(r).get("message").asString()).isEqualTo("Not Found");
    assertThat(gh.get("/repos/demo/webapp/issues/9999", token).statusCode()).isEqualTo(404);
    HttpResponse<String> route = gh.send("GET", "/repos/demo/webapp/branches", token, null);
    assertThat(route.statusCode()).isEqualTo(404);
    assertThat(json(route).get("message").asString()).isEqualTo("Not Found");
  }

  @Test
  void repositoryDescribesTheDefaultBranch() {
    HttpResponse<String> response = gh.get("/repos/demo/webapp", webappToken("{\"metadata\":\"read\"}"));
    assertThat(response.headers().firstValue("X-RateLimit-Remaining")).isPresent();
    JsonNode repo = json(response);
    assertThat(repo.get("full_name").asString()).isEqualTo("demo/webapp");
    assertThat(repo.get("default_branch").asString()).isEqualTo("main");
  }

  @Test
  void issuesListIncludesPullRequestsAndPaginatesWithLinkHeaders() {
    String token = webappToken("{\"issues\":\"read\"}");
    HttpResponse<String> first = gh.get("/repos/demo/webapp/issues?state=all&per_page=3", token);
    assertThat(first.statusCode()).isEqualTo(200);
    String link = first.headers().firstValue("Link").orElseThrow();
    assertThat(link).contains("rel=\"next\"").contains("rel=\"last\"").contains("page=2");
    List<JsonNode> all = new ArrayList<>();
    String next = "/repos/demo/webapp/issues?state=all&per_page=3";
    while (next != null) {
      HttpResponse<String> page = gh.get(next, token);
      json(page).forEach(all::add);
      next = page.headers().firstValue("Link").flatMap(SandboxForgeIT::nextLink)
          .map(url -> url.substring(gh.base().length())).orElse(null);
    }
    assertThat(all).hasSizeGreaterThanOrEqualTo(8);
    assertThat(all).anySatisfy(i -> {
      assertThat(i.get("title").asString()).isEqualTo("Fix login redirect");
      assertThat(i.get("pull_request").get("url").asString()).endsWith("/pulls/" + i.get("number").asInt());
    });
    assertThat(all).anySatisfy(i -> assertThat(i.has("pull_request")).isFalse());
    assertThat(all.stream().map(i -> i.get("number").asInt()).distinct().count()).isEqualTo(all.size());
    // unreadable paging parameters fall back to the defaults, as on GitHub
    assertThat(json(gh.get("/repos/demo/webapp/issues?state=all&per_page=abc&page=x", token)).size())
        .isEqualTo(Math.min(all.size(), 30));
  }

  static java.util.Optional<String> nextLink(String header) {
    for (String part : header.split(",")) {
      if (part.contains("rel=\"next\"")) {
        return java.util.Optional.of(part.substring(part.indexOf('<') + 1, part.indexOf('>')));
      }
    }
    return java.util.Optional.empty();
  }

  @Test
  void openBugsAreFilteredByLabelAndState() {
    String token = webappToken("{\"issues\":\"read\"}");
    JsonNode bugs = json(gh.get("/repos/demo/webapp/issues?labels=bug", token));
    List<String> plainBugs = new ArrayList<>();
    for (JsonNode i : bugs) {
      assertThat(i.get("state").asString()).isEqualTo("open");
      assertThat(i.get("labels").findValuesAsString("name")).contains("bug");
      if (!i.has("pull_request")) {
        plainBugs.add(i.get("title").asString());
      }
    }
    assertThat(plainBugs).hasSize(3);
    JsonNode closed = json(gh.get("/repos/demo/webapp/issues?state=closed&labels=bug", token));
    assertThat(closed).anySatisfy(i -> assertThat(i.get("closed_at").isString()).isTrue());
    assertThat(json(gh.get("/repos/demo/webapp/issues?labels=enhancement", token))).isNotEmpty();
    assertThat(json(gh.get("/repos/demo/webapp/issues?labels=documentation", token))).hasSize(1);
  }

  @Test
  void issueIsReadAndCommentedWithIssuesWrite() {
    String writer = webappToken("{\"issues\":\"write\"}");
    int number = numberOf("Login redirects to /null when there is no next parameter", writer);
    JsonNode issue = json(gh.get("/repos/demo/webapp/issues/" + number, writer));
    assertThat(issue.get("labels").get(0).get("name").asString()).isEqualTo("bug");
    int before = issue.get("comments").asInt();
    HttpResponse<String> created = gh.send("POST", "/repos/demo/webapp/issues/" + number + "/comments", writer,
        "{\"body\":\"Looking into it.\"}");
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(created.headers().firstValue("Location")).isPresent();
    assertThat(json(created).get("body").asString()).isEqualTo("Looking into it.");
    assertThat(json(gh.get("/repos/demo/webapp/issues/" + number, writer)).get("comments").asInt()).isEqualTo(before + 1);
  }

  @Test
  void readOnlyIssuesTokenCannotComment() {
    String reader = webappToken("{\"issues\":\"read\"}");
    HttpResponse<String> r = gh.send("POST", "/repos/demo/webapp/issues/1/comments", reader, "{\"body\":\"no\"}");
    assertThat(r.statusCode()).isEqualTo(403);
  }

  @Test
  void contentsAreTheRealFilesInBase64() throws Exception {
    String token = webappToken("{\"contents\":\"read\"}");
    JsonNode file = json(gh.get("/repos/demo/webapp/contents/src/app.js", token));
    assertThat(file.get("encoding").asString()).isEqualTo("base64");
    String decoded = new String(Base64.getMimeDecoder().decode(file.get("content").asString()), StandardCharsets.UTF_8);
    String expected = new String(getClass().getResourceAsStream("/sandbox/webapp/src/app.js").readAllBytes(),
        StandardCharsets.UTF_8);
    assertThat(decoded).isEqualTo(expected);
    assertThat(file.get("size").asInt()).isEqualTo(expected.getBytes(StandardCharsets.UTF_8).length);
    assertThat(file.get("sha").asString()).hasSize(40);
    JsonNode dir = json(gh.get("/repos/demo/webapp/contents/src", token));
    assertThat(dir.findValuesAsString("name")).contains("app.js", "server.js", "auth.js");
    JsonNode onBranch = json(gh.get("/repos/demo/webapp/contents/src/auth.js?ref=fix-login-redirect", token));
    assertThat(new String(Base64.getMimeDecoder().decode(onBranch.get("content").asString()), StandardCharsets.UTF_8))
        .contains("safeNext");
    assertThat(gh.get("/repos/demo/webapp/contents/nope.txt", token).statusCode()).isEqualTo(404);
    // the raw media type is described in GitHub's prose, not in the OpenAPI file: not contract-checked
    var raw = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(gh.base() + "/repos/demo/webapp/contents/src/app.js"))
        .header("Accept", "application/vnd.github.raw+json").header("Authorization", "Bearer " + token).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(raw.statusCode()).isEqualTo(200);
    assertThat(raw.body()).isEqualTo(expected);
    assertThat(gh.get("/repos/demo/webapp/contents/README.md", webappToken("{\"issues\":\"read\"}")).statusCode())
        .isEqualTo(403);
  }

  // --- pull requests ------------------------------------------------------------------------------

  @Test
  void pullRequestReportsBranchesAndMergeabilityFromGit() {
    String token = webappToken("{\"pull_requests\":\"read\",\"issues\":\"read\"}");
    int fix = numberOf("Fix login redirect", token);
    JsonNode pr = json(gh.get("/repos/demo/webapp/pulls/" + fix, token));
    assertThat(pr.get("head").get("ref").asString()).isEqualTo("fix-login-redirect");
    assertThat(pr.get("head").get("sha").asString()).isEqualTo(git.tip("demo", "webapp", "fix-login-redirect").orElseThrow());
    assertThat(pr.get("base").get("ref").asString()).isEqualTo("main");
    assertThat(pr.get("base").get("sha").asString()).isEqualTo(mainTip());
    assertThat(pr.get("mergeable").asBoolean()).isTrue();
    assertThat(pr.get("mergeable_state").asString()).isEqualTo("clean");
    assertThat(pr.get("merged").asBoolean()).isFalse();
    assertThat(pr.get("changed_files").asInt()).isEqualTo(1);
    assertThat(pr.get("additions").asInt()).isPositive();
    assertThat(pr.get("deletions").asInt()).isPositive();
    int rework = numberOf("Rework config loading", token);
    JsonNode conflicting = json(gh.get("/repos/demo/webapp/pulls/" + rework, token));
    assertThat(conflicting.get("mergeable").asBoolean()).isFalse();
    assertThat(conflicting.get("mergeable_state").asString()).isEqualTo("dirty");
    assertThat(json(gh.get("/repos/demo/webapp/pulls", token)).findValuesAsString("title"))
        .contains("Fix login redirect", "Rework config loading");
    assertThat(gh.get("/repos/demo/webapp/pulls/1", token).statusCode()).isEqualTo(404);
  }

  JsonNode merge(int number, String token, String body, int status) {
    HttpResponse<String> r = gh.send("PUT", "/repos/demo/webapp/pulls/" + number + "/merge", token, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return json(r);
  }

  String headOf(int number, String token) {
    return json(gh.get("/repos/demo/webapp/pulls/" + number, token)).get("head").get("sha").asString();
  }

  String mergerToken() {
    return webappToken("{\"contents\":\"write\",\"pull_requests\":\"read\"}");
  }

  @Test
  void mergeCreatesAMergeCommitWithTwoParentsAndClosesThePullRequest() {
    String token = mergerToken();
    int number = demo.prime();
    String head = headOf(number, token);
    String base = mainTip();
    JsonNode result = merge(number, token, "{\"sha\":\"" + head + "\",\"merge_method\":\"merge\"}", 200);
    assertThat(result.get("merged").asBoolean()).isTrue();
    assertThat(result.get("message").asString()).isEqualTo("Pull Request successfully merged");
    String sha = result.get("sha").asString();
    assertThat(mainTip()).isEqualTo(sha);
    assertThat(git.parents("demo", "webapp", sha)).containsExactly(base, head);
    JsonNode pr = json(gh.get("/repos/demo/webapp/pulls/" + number, token));
    assertThat(pr.get("merged").asBoolean()).isTrue();
    assertThat(pr.get("state").asString()).isEqualTo("closed");
    assertThat(pr.get("merge_commit_sha").asString()).isEqualTo(sha);
    merge(number, token, "{}", 405);
  }

  @Test
  void squashMergeCreatesOneCommitWithTheCombinedTree() {
    String token = mergerToken();
    int number = demo.prime();
    String base = mainTip();
    String sha = merge(number, token, "{\"merge_method\":\"squash\",\"commit_title\":\"Squashed\"}", 200)
        .get("sha").asString();
    assertThat(git.parents("demo", "webapp", sha)).containsExactly(base);
    assertThat(git.content("demo", "webapp", "main", "notes/")).isPresent();
    SandboxGit.Directory notes = (SandboxGit.Directory) git.content("demo", "webapp", sha, "notes").orElseThrow();
    assertThat(notes.entries()).isNotEmpty();
  }

  @Test
  void rebaseMergeReplaysThePullRequestCommitsOnTheBase() {
    String token = mergerToken();
    int number = demo.prime();
    // main moves on after the branch was cut, so the commit has to be replayed onto a new base
    merge(demo.prime(), token, "{}", 200);
    String head = headOf(number, token);
    String base = mainTip();
    String sha = merge(number, token, "{\"merge_method\":\"rebase\"}", 200).get("sha").asString();
    assertThat(sha).isNotEqualTo(head);
    assertThat(git.parents("demo", "webapp", sha)).containsExactly(base);
    assertThat(mainTip()).isEqualTo(sha);
    SandboxGit.Directory notes = (SandboxGit.Directory) git.content("demo", "webapp", sha, "notes").orElseThrow();
    assertThat(notes.entries()).extracting(SandboxGit.Entry::path)
        .contains("notes/demo-change-" + branchSuffix(number, token) + ".md");
  }

  String branchSuffix(int number, String token) {
    String ref = json(gh.get("/repos/demo/webapp/pulls/" + number, token)).get("head").get("ref").asString();
    return ref.substring("demo-change-".length());
  }

  @Test
  void conflictingPullRequestIsNotMergeableAndNothingChanges() {
    String token = mergerToken();
    int rework = numberOf("Rework config loading", webappToken("{\"issues\":\"read\"}"));
    String before = mainTip();
    JsonNode error = merge(rework, token, "{\"merge_method\":\"merge\"}", 405);
    assertThat(error.get("message").asString()).isEqualTo("Pull Request is not mergeable");
    assertThat(mainTip()).isEqualTo(before);
    assertThat(json(gh.get("/repos/demo/webapp/pulls/" + rework, token)).get("state").asString()).isEqualTo("open");
  }

  @Test
  void mergeWithAnotherShaThanTheHeadIsRefused() {
    String token = mergerToken();
    int number = demo.prime();
    String before = mainTip();
    JsonNode error = merge(number, token, "{\"sha\":\"" + "0".repeat(40) + "\"}", 409);
    assertThat(error.get("message").asString()).isEqualTo("Head branch was modified. Review and try the merge again.");
    assertThat(mainTip()).isEqualTo(before);
  }

  @Test
  void mergeWhenHeadMovedAfterReviewThenRefused() {
    String token = mergerToken();
    int number = demo.prime();
    String reviewed = headOf(number, token);
    String moved = demo.pushToHead("demo", "webapp", number, "src/extra.js", "// pushed after review\n");
    assertThat(moved).isNotEqualTo(reviewed);
    assertThat(headOf(number, token)).isEqualTo(moved);
    String before = mainTip();
    merge(number, token, "{\"sha\":\"" + reviewed + "\"}", 409);
    assertThat(mainTip()).isEqualTo(before);
    merge(number, token, "{\"sha\":\"" + moved + "\"}", 200);
  }

  @Test
  void badMergeMethodIsAValidationError() {
    int number = demo.prime();
    merge(number, mergerToken(), "{\"merge_method\":\"fast-forward\"}", 422);
  }

  @Test
  void tokenWithIssuesReadCannotMerge() {
    int number = demo.prime();
    String before = mainTip();
    JsonNode error = merge(number, webappToken("{\"issues\":\"read\",\"pull_requests\":\"write\"}"), "{}", 403);
    assertThat(error.get("message").asString()).isEqualTo("Resource not accessible by integration");
    assertThat(mainTip()).isEqualTo(before);
  }

  // --- commit statuses ----------------------------------------------------------------------------

  String statusToken(String level) {
    return webappToken("{\"statuses\":\"" + level + "\",\"pull_requests\":\"read\",\"issues\":\"read\"}");
  }

  JsonNode combined(String ref, String token) {
    HttpResponse<String> r = gh.get("/repos/demo/webapp/commits/" + ref + "/status", token);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r);
  }

  JsonNode createStatus(String sha, String token, String body, int status) {
    HttpResponse<String> r = gh.send("POST", "/repos/demo/webapp/statuses/" + sha, token, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    if (status == 201) {
      assertThat(r.headers().firstValue("Location")).hasValue(json(r).get("url").asString());
    }
    return json(r);
  }

  @Test
  void demoPullRequestHeadsCarryACombinedStatusBySha() {
    String token = statusToken("read");
    String fixHead = git.tip("demo", "webapp", "fix-login-redirect").orElseThrow();

    JsonNode fix = combined(fixHead, token);

    assertThat(fix.get("state").asString()).isEqualTo("success");
    assertThat(fix.get("sha").asString()).isEqualTo(fixHead);
    assertThat(fix.get("total_count").asInt()).isEqualTo(2);
    assertThat(fix.get("statuses").findValuesAsString("context")).containsExactlyInAnyOrder("ci/tests", "ci/lint");
    assertThat(fix.get("repository").get("full_name").asString()).isEqualTo("demo/webapp");
    assertThat(fix.get("url").asString()).endsWith("/repos/demo/webapp/commits/" + fixHead + "/status");
  }

  @Test
  void combinedStatusIsReadByBranchNameToo() {
    JsonNode rework = combined("rework-config-loading", statusToken("read"));

    assertThat(rework.get("state").asString()).isEqualTo("failure");
    assertThat(rework.get("sha").asString()).isEqualTo(git.tip("demo", "webapp", "rework-config-loading").orElseThrow());
    assertThat(rework.get("statuses").findValuesAsString("description")).contains("2 of 14 tests failed");
  }

  @Test
  void createdStatusesCombineToTheNewestStatusOfEachContext() {
    String token = statusToken("write");
    int number = demo.prime();
    String head = headOf(number, mergerToken());
    assertThat(combined(head, token).get("state").asString()).isEqualTo("success");

    JsonNode created = createStatus(head, token, """
        {"state": "pending", "context": "ci/build", "description": "Building", "target_url": "https://ci.example.com/1"}""", 201);
    assertThat(created.get("state").asString()).isEqualTo("pending");
    assertThat(created.get("creator").get("login").asString()).isEqualTo(GitHubJson.BOT_LOGIN);
    assertThat(created.get("target_url").asString()).isEqualTo("https://ci.example.com/1");
    assertThat(combined(head, token).get("state").asString()).isEqualTo("pending");

    // contexts compare case-insensitively: this replaces ci/build, it does not add a context
    createStatus(head, token, "{\"state\": \"success\", \"context\": \"CI/Build\"}", 201);
    JsonNode passed = combined(head, token);
    assertThat(passed.get("state").asString()).isEqualTo("success");
    assertThat(passed.get("total_count").asInt()).isEqualTo(2);

    createStatus(head, token, "{\"state\": \"error\", \"context\": \"ci/deploy\"}", 201);
    assertThat(combined(head, token).get("state").asString()).isEqualTo("failure");
    // a status without context is GitHub's "default" context
    assertThat(createStatus(head, token, "{\"state\": \"success\"}", 201).get("context").asString()).isEqualTo("default");
  }

  @Test
  void aCommitWithoutStatusesIsPendingWithNone() {
    JsonNode main = combined(mainTip(), statusToken("read"));

    assertThat(main.get("state").asString()).isEqualTo("pending");
    assertThat(main.get("total_count").asInt()).isZero();
    assertThat(main.get("statuses").size()).isZero();
  }

  @Test
  void statusesForUnknownCommitsOrWithBadFieldsAreRefused() {
    String token = statusToken("write");
    String head = mainTip();

    assertThat(createStatus("0".repeat(40), token, "{\"state\": \"success\"}", 422).get("message").asString())
        .isEqualTo("No commit found for SHA: " + "0".repeat(40));
    createStatus("main", token, "{\"state\": \"success\"}", 422);
    createStatus(head, token, "{\"state\": \"passed\"}", 422);
    createStatus(head, token, "{\"context\": \"ci\"}", 422);
    createStatus(head, token, "{\"state\": \"success\", \"target_url\": \"javascript:alert(1)\"}", 422);
    createStatus(head, token, "not json", 400);
    assertThat(gh.get("/repos/demo/webapp/commits/no-such-branch/status", token).statusCode()).isEqualTo(404);
    // GitHub takes a SHA, branch or tag; JGit's revision expressions are not refs
    assertThat(gh.get("/repos/demo/webapp/commits/main~1/status", token).statusCode()).isEqualTo(404);
    assertThat(combined(head, token).get("total_count").asInt()).isZero();
  }

  @Test
  void statusesNeedTheCommitStatusesPermission() {
    String head = mainTip();
    HttpResponse<String> read = gh.get("/repos/demo/webapp/commits/" + head + "/status", webappToken("{\"pull_requests\":\"read\"}"));
    assertThat(read.statusCode()).isEqualTo(403);
    HttpResponse<String> write = gh.send("POST", "/repos/demo/webapp/statuses/" + head, statusToken("read"),
        "{\"state\": \"success\"}");
    assertThat(write.statusCode()).isEqualTo(403);
    assertThat(json(write).get("message").asString()).isEqualTo("Resource not accessible by integration");
  }
}
