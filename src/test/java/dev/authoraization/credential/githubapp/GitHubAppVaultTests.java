package dev.authoraization.credential.githubapp;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.matching.MatchResult;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.authoraization.call.Caller;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.credential.Credential;
import dev.authoraization.credential.CredentialNeed;
import dev.authoraization.credential.CredentialRequest;
import dev.authoraization.support.MutableClock;
import dev.authoraization.tool.ToolDescriptor;
import dev.authoraization.tool.github.GitHubTestSupport;
import dev.authoraization.tool.github.GitHubToolProvider;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

class GitHubAppVaultTests {

  @RegisterExtension
  static WireMockExtension github = GitHubTestSupport.stub();

  private static final Caller ALICE = Caller.of("alice", "https://issuer.test", Set.of("dev"));
  private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  private GitHubAppVault vault;

  /** Answers only requests that carry a valid App JWT, as GitHub does. */
  private MappingBuilder asApp(MappingBuilder mapping) {
    return mapping.andMatching(request -> MatchResult.of(
        TestAppKey.verify(request.getHeader("Authorization"), clock.instant()).isPresent()));
  }

  private void installedOn(String repo, long installation) {
    github.stubFor(asApp(get(urlPathEqualTo("/repos/" + repo + "/installation")))
        .willReturn(okJson("{\"id\": " + installation + ", \"app_id\": " + TestAppKey.APP_ID + "}")));
  }

  private void issuesTokens(long installation, String grantedPermissions) {
    github.stubFor(asApp(post(urlPathEqualTo("/app/installations/" + installation + "/access_tokens")))
        .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
            .withTransformers("response-template")
            .withBody("""
                {"token": "ghs_{{randomValue length=36 type='ALPHANUMERIC'}}", "expires_at": "%s",
                 "permissions": %s, "repository_selection": "selected"}"""
                .formatted(clock.instant().plus(Duration.ofHours(1)), grantedPermissions))));
    github.stubFor(delete(urlPathEqualTo("/installation/token")).willReturn(aResponse().withStatus(204)));
  }

  @BeforeEach
  void setUp() {
    vault = new GitHubAppVault(GitHubTestSupport.client(github), TestAppKey.APP_ID, TestAppKey.source(),
        Optional.empty(), clock);
  }

  private static CredentialRequest request(Map<String, String> permissions, String resource, boolean singleUse) {
    return new CredentialRequest(new CredentialNeed("github", permissions), resource, ALICE, singleUse);
  }

  private List<JsonNode> mintBodies() {
    return github.getAllServeEvents().stream()
        .filter(event -> event.getRequest().getUrl().endsWith("/access_tokens"))
        .map(ServeEvent::getRequest)
        .map(request -> GitHubTestSupport.json(request.getBodyAsString()))
        .toList();
  }

  @Test
  void eachToolGetsATokenForItsOneRepositoryWithExactlyItsPermissions() {
    installedOn("demo/webapp", 42);
    issuesTokens(42, "{\"metadata\": \"read\"}");
    GitHubToolProvider provider = new GitHubToolProvider(GitHubTestSupport.client(github));

    for (ToolDescriptor tool : provider.tools()) {
      if (tool.name().equals("list_repositories")) {
        continue;
      }
      github.resetRequests();
      setUp(); // a fresh vault, so no token is served from the cache
      try (Credential credential = vault.issue(new CredentialRequest(tool.credential(), "demo/webapp", ALICE, false))) {
        assertThat(credential.broad()).isFalse();
      }
      JsonNode sent = mintBodies().getFirst();
      assertThat(sent.path("repositories").values()).extracting(JsonNode::asString).as(tool.name()).containsExactly("webapp");
      assertThat(sent.path("permissions").propertyNames()).as(tool.name())
          .containsExactlyInAnyOrderElementsOf(tool.credential().permissions().keySet());
      tool.credential().permissions().forEach((name, level) ->
          assertThat(sent.path("permissions").path(name).asString()).as(tool.name() + " " + name).isEqualTo(level));
      assertThat(sent.propertyNames()).containsExactlyInAnyOrder("repositories", "permissions");
    }
  }

  @Test
  void credentialDescribesItsScopeAndNeverShowsTheToken() {
    installedOn("demo/webapp", 42);
    issuesTokens(42, "{\"pull_requests\": \"read\", \"metadata\": \"read\"}");

    Credential credential = vault.issue(request(Map.of("pull_requests", "read"), "demo/webapp", false));

    assertThat(credential.description()).isEqualTo("github-app installation token (repo demo/webapp; pull_requests:read)");
    assertThat(credential.secret()).startsWith("ghs_");
    assertThat(credential.toString()).doesNotContain(credential.secret());
    assertThat(credential.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
  }

  @Test
  void readTokenIsCachedAndReusedAndTheInstallationLookedUpOnce() {
    installedOn("demo/webapp", 42);
    issuesTokens(42, "{\"metadata\": \"read\"}");

    String first = vault.issue(request(Map.of("issues", "read"), "demo/webapp", false)).secret();
    String second = vault.issue(request(Map.of("issues", "read"), "demo/webapp", false)).secret();
    vault.issue(request(Map.of("contents", "read"), "demo/webapp", false));

    assertThat(second).isEqualTo(first);
    github.verify(2, postRequestedFor(urlPathEqualTo("/app/installations/42/access_tokens")));
    github.verify(1, getRequestedFor(urlPathEqualTo("/repos/demo/webapp/installation")));
  }

  @Test
  void cachedReadTokenIsNeverServedForAnotherRepositoryOrOtherPermissions() {
    installedOn("demo/webapp", 42);
    installedOn("demo/other", 42);
    issuesTokens(42, "{\"metadata\": \"read\"}");
    String cached = vault.issue(request(Map.of("issues", "read"), "demo/webapp", false)).secret();

    String otherRepo = vault.issue(request(Map.of("issues", "read"), "demo/other", false)).secret();
    String morePermissions = vault.issue(request(Map.of("issues", "read", "contents", "read"), "demo/webapp", false)).secret();
    String fewerPermissions = vault.issue(request(Map.of("metadata", "read"), "demo/webapp", false)).secret();
    String write = vault.issue(request(Map.of("issues", "write"), "demo/webapp", false)).secret();
    String sameAgainOtherCase = vault.issue(request(Map.of("issues", "read"), "Demo/WebApp", false)).secret();

    assertThat(List.of(otherRepo, morePermissions, fewerPermissions, write)).doesNotContain(cached).doesNotHaveDuplicates();
    // GitHub's repository names are case-insensitive: the same repository may share the token
    assertThat(sameAgainOtherCase).isEqualTo(cached);
    List<JsonNode> minted = mintBodies().reversed(); // WireMock lists the newest request first
    assertThat(minted).hasSize(5);
    assertThat(minted.get(1).path("repositories").values()).extracting(JsonNode::asString).containsExactly("other");
    assertThat(minted.get(2).path("permissions").propertyNames()).containsExactlyInAnyOrder("issues", "contents");
    assertThat(minted.get(3).path("permissions").propertyNames()).containsExactly("metadata");
    assertThat(minted.get(4).path("permissions").path("issues").asString()).isEqualTo("write");
  }

  @Test
  void readTokenWhenWithinFiveMinutesOfExpiryThenANewOneIsMinted() {
    installedOn("demo/webapp", 42);
    issuesTokens(42, "{\"issues\": \"read\"}");
    String first = vault.issue(request(Map.of("issues", "read"), "demo/webapp", false)).secret();

    clock.advance(Duration.ofMinutes(54));
    String stillCached = vault.issue(request(Map.of("issues", "read"), "demo/webapp", false)).secret();
    clock.advance(Duration.ofMinutes(2));
    String fresh = vault.issue(request(Map.of("issues", "read"), "demo/webapp", false)).secret();

    assertThat(stillCached).isEqualTo(first);
    assertThat(fresh).isNotEqualTo(first);
  }

  @Test
  void destructiveCallGetsAFreshTokenThatIsRevokedOnClose() {
    installedOn("demo/webapp", 42);
    issuesTokens(42, "{\"contents\": \"write\", \"pull_requests\": \"read\"}");
    Map<String, String> merge = Map.of("contents", "write", "pull_requests", "read");
    vault.issue(request(merge, "demo/webapp", false));

    Credential credential = vault.issue(request(merge, "demo/webapp", true));
    String token = credential.secret();
    github.verify(0, deleteRequestedFor(urlPathEqualTo("/installation/token")));
    credential.close();

    github.verify(2, postRequestedFor(urlPathEqualTo("/app/installations/42/access_tokens")));
    github.verify(1, deleteRequestedFor(urlPathEqualTo("/installation/token")).withHeader("Authorization", equalTo("Bearer " + token)));
    assertThat(credential.description()).contains("single use");
    assertThatThrownBy(credential::secret).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void writeTokenIsNeverCachedAndIsRevokedAfterItsCall() {
    installedOn("demo/webapp", 42);
    issuesTokens(42, "{\"issues\": \"write\"}");

    Credential first = vault.issue(request(Map.of("issues", "write"), "demo/webapp", false));
    String firstToken = first.secret();
    first.close();
    Credential second = vault.issue(request(Map.of("issues", "write"), "demo/webapp", false));

    assertThat(second.secret()).isNotEqualTo(firstToken);
    github.verify(1, deleteRequestedFor(urlPathEqualTo("/installation/token")).withHeader("Authorization", equalTo("Bearer " + firstToken)));
  }

  @Test
  void appJwtIsSignedByTheAppKeyIssuedAMinuteAgoAndShortLived() {
    installedOn("demo/webapp", 42);
    issuesTokens(42, "{\"issues\": \"read\"}");

    vault.issue(request(Map.of("issues", "read"), "demo/webapp", false));

    String authorization = github.getAllServeEvents().stream()
        .filter(event -> event.getRequest().getUrl().endsWith("/installation"))
        .findFirst().orElseThrow().getRequest().getHeader("Authorization");
    JWTClaimsSet claims = TestAppKey.verify(authorization, clock.instant()).orElseThrow();
    assertThat(claims.getIssuer()).isEqualTo(TestAppKey.APP_ID);
    assertThat(claims.getIssueTime().toInstant()).isEqualTo(clock.instant().minusSeconds(60));
    assertThat(claims.getExpirationTime().toInstant()).isBeforeOrEqualTo(clock.instant().plus(Duration.ofMinutes(10)));
  }

  @Test
  void jwtSignedByAnotherKeyIsNotAcceptedByTheStub() {
    installedOn("demo/webapp", 42);
    KeyPairHolder other = new KeyPairHolder();
    GitHubAppVault impostor = new GitHubAppVault(GitHubTestSupport.client(github), TestAppKey.APP_ID, other::privateKey,
        Optional.empty(), clock);

    assertThatThrownBy(() -> impostor.issue(request(Map.of("issues", "read"), "demo/webapp", false)))
        .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_UNAVAILABLE));
  }

  @Test
  void listingRepositoriesGetsAMetadataReadTokenWithoutRepositoryRestriction() {
    github.stubFor(asApp(get(urlPathEqualTo("/app/installations"))).willReturn(okJson("[{\"id\": 42}]")));
    issuesTokens(42, "{\"metadata\": \"read\"}");

    Credential credential = vault.issue(request(Map.of("metadata", "read"), "*", false));

    github.verify(postRequestedFor(urlPathEqualTo("/app/installations/42/access_tokens"))
        .withRequestBody(equalToJson("{\"permissions\": {\"metadata\": \"read\"}}")));
    assertThat(credential.description()).isEqualTo("github-app installation token (all repositories of installation 42; metadata:read)");
  }

  @Test
  void resourceThatIsNotOneRepositoryIsRefusedBeforeAskingGitHub() {
    for (String resource : new String[] {"demo", "demo/webapp/extra", "demo/../x", "demo/..", "../webapp", "demo/web app"}) {
      assertThatThrownBy(() -> vault.issue(request(Map.of("issues", "read"), resource, false)))
          .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_UNAVAILABLE));
    }
    assertThat(github.getAllServeEvents()).isEmpty();
  }

  @Test
  void tokenWithoutRepositoryIsRefusedForAnythingButMetadataRead() {
    assertThatThrownBy(() -> vault.issue(request(Map.of("contents", "write"), "*", false)))
        .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_UNAVAILABLE));
    assertThat(github.getAllServeEvents()).isEmpty();
  }

  @Test
  void appNotInstalledOnTheRepositoryThenCredentialUnavailable() {
    github.stubFor(asApp(get(urlPathMatching("/repos/.*/installation")))
        .willReturn(aResponse().withStatus(404).withHeader("Content-Type", "application/json").withBody("{\"message\": \"Not Found\"}")));

    assertThatThrownBy(() -> vault.issue(request(Map.of("issues", "read"), "demo/other", false)))
        .isInstanceOfSatisfying(GatewayException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_UNAVAILABLE);
          assertThat(e.getMessage()).contains("not installed on demo/other");
        });
  }

  @Test
  void installationWithoutThePermissionThenCredentialUnavailableNamingIt() {
    installedOn("demo/webapp", 42);
    github.stubFor(asApp(post(urlPathEqualTo("/app/installations/42/access_tokens"))).willReturn(aResponse().withStatus(422)
        .withHeader("Content-Type", "application/json")
        .withBody("{\"message\": \"The permissions requested are not granted to this installation.\"}")));

    assertThatThrownBy(() -> vault.issue(request(Map.of("contents", "write"), "demo/webapp", true)))
        .isInstanceOfSatisfying(GatewayException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_UNAVAILABLE);
          assertThat(e.getMessage()).contains("does not grant contents:write on webapp");
        });
  }

  @Test
  void tokenWiderThanAskedIsRevokedAndNotUsed() {
    installedOn("demo/webapp", 42);
    issuesTokens(42, "{\"issues\": \"read\", \"contents\": \"write\"}");

    assertThatThrownBy(() -> vault.issue(request(Map.of("issues", "read"), "demo/webapp", false)))
        .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_UNAVAILABLE));
    github.verify(1, deleteRequestedFor(urlPathEqualTo("/installation/token")));
  }

  /** Another RSA key, to sign JWTs GitHub must not accept. */
  private static final class KeyPairHolder {
    private final java.security.interfaces.RSAPrivateKey key;

    KeyPairHolder() {
      try {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        key = (java.security.interfaces.RSAPrivateKey) generator.generateKeyPair().getPrivate();
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    java.security.interfaces.RSAPrivateKey privateKey() {
      return key;
    }
  }
}
