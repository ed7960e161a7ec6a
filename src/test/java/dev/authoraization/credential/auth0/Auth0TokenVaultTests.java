package dev.authoraization.credential.auth0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.authoraization.call.Caller;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.credential.Credential;
import dev.authoraization.credential.CredentialNeed;
import dev.authoraization.credential.CredentialRequest;
import dev.authoraization.credential.SubjectTokens;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

@ExtendWith(OutputCaptureExtension.class)
class Auth0TokenVaultTests {

  private static final String GITHUB_TOKEN = "gho_CANARY7f3a9c0d1e2b4a6f";
  private static final String SUBJECT_TOKEN = "eyJ.SUBJECT-CANARY-5b8e.sig";
  private static final String CLIENT_SECRET = "client-secret-CANARY-91d2";
  private static final CredentialNeed READ = new CredentialNeed("github", Map.of("issues", "read"));

  private final Auth0Stub auth0 = new Auth0Stub();
  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-02T10:00:00Z"));
  private final Clock clock = new Clock() {
    @Override
    public Instant instant() {
      return now.get();
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  };
  private final Caller alice = Caller.of("github|4242", auth0.domain() + "/", Set.of("developer"));
  private final AtomicReference<Optional<String>> bearer = new AtomicReference<>(Optional.of(SUBJECT_TOKEN));
  private final SubjectTokens subjectTokens = caller -> caller.equals(alice) ? bearer.get() : Optional.empty();

  @AfterEach
  void stop() {
    auth0.close();
  }

  private Auth0TokenVault vault(Auth0Properties.Mode mode) {
    Auth0Properties properties = new Auth0Properties(auth0.domain(), null, "engine-api-client", CLIENT_SECRET,
        null, mode, Duration.ofSeconds(60), Duration.ofMinutes(5), Duration.ofSeconds(5));
    return new Auth0TokenVault(properties, subjectTokens, Auth0TokenVault.httpClient(properties), clock);
  }

  private static CredentialRequest request(Caller caller) {
    return new CredentialRequest(READ, "demo/webapp", caller, false);
  }

  @Test
  void tokenVaultExchangeSendsTheDocumentedRequestAndIssuesTheUsersGitHubToken() {
    auth0.tokenAnswers(200, Auth0Stub.exchanged(GITHUB_TOKEN, 28800));

    try (Credential credential = vault(Auth0Properties.Mode.TOKEN_VAULT).issue(request(alice))) {
      assertThat(credential.secret()).isEqualTo(GITHUB_TOKEN);
      assertThat(credential.broad()).isTrue();
      assertThat(credential.expiresAt()).isEqualTo(now.get().plusSeconds(28800));
      assertThat(credential.description()).contains("Token Vault", "connection github", "not narrowed")
          .doesNotContain(GITHUB_TOKEN);
    }
    assertThat(auth0.seen()).singleElement().satisfies(seen -> {
      assertThat(seen.method()).isEqualTo("POST");
      assertThat(seen.path()).isEqualTo("/oauth/token");
      assertThat(seen.form()).containsExactlyInAnyOrderEntriesOf(Map.of(
          "grant_type", "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token",
          "client_id", "engine-api-client",
          "client_secret", CLIENT_SECRET,
          "subject_token", SUBJECT_TOKEN,
          "subject_token_type", "urn:ietf:params:oauth:token-type:access_token",
          "requested_token_type", "http://auth0.com/oauth/token-type/federated-connection-access-token",
          "connection", "github"));
    });
  }

  @Test
  void secondCallWithinTheTokensLifetimeThenServedFromCacheEvenWithoutTheBearer() {
    auth0.tokenAnswers(200, Auth0Stub.exchanged(GITHUB_TOKEN, 3600));
    Auth0TokenVault vault = vault(Auth0Properties.Mode.TOKEN_VAULT);
    vault.issue(request(alice)).close();

    // an approved call runs later, on another thread: the bearer token is no longer at hand
    bearer.set(Optional.empty());
    now.set(now.get().plus(Duration.ofMinutes(50)));
    try (Credential credential = vault.issue(request(alice))) {
      assertThat(credential.secret()).isEqualTo(GITHUB_TOKEN);
    }
    assertThat(auth0.seen("/oauth/token")).hasSize(1);
  }

  @Test
  void tokenCloseToExpiryThenExchangedAgain() {
    auth0.tokenAnswers(200, Auth0Stub.exchanged(GITHUB_TOKEN, 3600));
    Auth0TokenVault vault = vault(Auth0Properties.Mode.TOKEN_VAULT);
    vault.issue(request(alice)).close();

    now.set(now.get().plus(Duration.ofSeconds(3600 - 59))); // inside the 60 s margin
    auth0.tokenAnswers(200, Auth0Stub.exchanged("gho_second", 3600));
    try (Credential credential = vault.issue(request(alice))) {
      assertThat(credential.secret()).isEqualTo("gho_second");
    }
    assertThat(auth0.seen("/oauth/token")).hasSize(2);
  }

  @Test
  void cacheIsPerUserSoAnotherUserNeverGetsAlicesToken() {
    auth0.tokenAnswers(200, Auth0Stub.exchanged(GITHUB_TOKEN, 3600));
    Auth0TokenVault vault = vault(Auth0Properties.Mode.TOKEN_VAULT);
    vault.issue(request(alice)).close();

    Caller bob = Caller.of("github|9999", alice.issuer(), Set.of("developer"));
    assertThatThrownBy(() -> vault.issue(request(bob)))
        .isInstanceOfSatisfying(GatewayException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_UNAVAILABLE))
        .hasMessageContaining("call the tool again");
    assertThat(auth0.seen("/oauth/token")).hasSize(1);
  }

  @Test
  void unauthorizedFromTokenVaultThenUserMustReconnectGitHub(CapturedOutput output) {
    auth0.tokenAnswers(401, """
        {"error":"federated_connection_refresh_token_not_found",\
        "error_description":"Federated connection Refresh Token not found for %s"}""".formatted(SUBJECT_TOKEN));

    assertThatThrownBy(() -> vault(Auth0Properties.Mode.TOKEN_VAULT).issue(request(alice)))
        .isInstanceOfSatisfying(GatewayException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.RECONNECT_REQUIRED);
          assertThat(e.details()).containsEntry("error", "federated_connection_refresh_token_not_found");
        })
        .hasMessageContaining("must reconnect GitHub in Auth0")
        .hasMessageNotContaining(SUBJECT_TOKEN).hasMessageNotContaining(CLIENT_SECRET);
    assertThat(output.getAll()).doesNotContain(SUBJECT_TOKEN, CLIENT_SECRET);
  }

  @Test
  void tokenVaultNotEnabledThenConfigurationErrorWithAuth0sCodeOnly() {
    auth0.tokenAnswers(403, """
        {"error":"unauthorized_client","error_description":"Grant type not allowed for client %s"}"""
        .formatted(CLIENT_SECRET));

    assertThatThrownBy(() -> vault(Auth0Properties.Mode.TOKEN_VAULT).issue(request(alice)))
        .isInstanceOfSatisfying(GatewayException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_UNAVAILABLE))
        .hasMessageContaining("403 unauthorized_client").hasMessageContaining("Token Vault grant")
        .hasMessageNotContaining(CLIENT_SECRET);
  }

  @Test
  void wrongClientSecretThenConfigurationErrorNotAReconnectRequest() {
    auth0.tokenAnswers(401, """
        {"error":"invalid_client","error_description":"Invalid client credentials"}""");

    assertThatThrownBy(() -> vault(Auth0Properties.Mode.TOKEN_VAULT).issue(request(alice)))
        .isInstanceOfSatisfying(GatewayException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_UNAVAILABLE))
        .hasMessageContaining("invalid_client");
  }

  @Test
  void auth0DownThenFailsClosed() {
    auth0.tokenAnswers(503, "<html>maintenance</html>");

    assertThatThrownBy(() -> vault(Auth0Properties.Mode.TOKEN_VAULT).issue(request(alice)))
        .isInstanceOfSatisfying(GatewayException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_UNAVAILABLE));
  }

  @Test
  void callerFromAnotherIssuerWithTheSameSubjectThenRefusedWithoutAskingAuth0() {
    auth0.tokenAnswers(200, Auth0Stub.exchanged(GITHUB_TOKEN, 3600));
    Caller impostor = Caller.of(alice.subject(), "http://localhost:8080", Set.of("developer"));

    for (Auth0Properties.Mode mode : Auth0Properties.Mode.values()) {
      assertThatThrownBy(() -> vault(mode).issue(request(impostor)))
          .isInstanceOfSatisfying(GatewayException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_UNAVAILABLE))
          .hasMessageContaining("sign in through Auth0");
    }
    assertThat(auth0.seen()).isEmpty();
  }

  @Test
  void managementApiReadsTheGitHubIdentitysTokenWithAClientCredentialsToken(CapturedOutput output) {
    auth0.tokenAnswers(200, """
        {"access_token":"mgmt-CANARY-token","token_type":"Bearer","expires_in":86400,\
        "scope":"read:users read:user_idp_tokens"}""");
    auth0.userAnswers(200, """
        {"user_id":"github|4242","identities":[
          {"provider":"google-oauth2","user_id":"1","connection":"google-oauth2","isSocial":true,"access_token":"ya29.other"},
          {"provider":"github","user_id":"4242","connection":"github","isSocial":true,"access_token":"%s"}]}"""
        .formatted(GITHUB_TOKEN));
    Auth0TokenVault vault = vault(Auth0Properties.Mode.MANAGEMENT_API);
    bearer.set(Optional.empty()); // this path needs no user token

    try (Credential credential = vault.issue(request(alice))) {
      assertThat(credential.secret()).isEqualTo(GITHUB_TOKEN);
      assertThat(credential.expiresAt()).isEqualTo(now.get().plus(Duration.ofMinutes(5)));
      assertThat(credential.description()).contains("Management API");
    }
    assertThat(auth0.seen("/oauth/token")).singleElement().satisfies(seen -> assertThat(seen.form())
        .containsExactlyInAnyOrderEntriesOf(Map.of("grant_type", "client_credentials", "client_id",
            "engine-api-client", "client_secret", CLIENT_SECRET, "audience", auth0.domain() + "/api/v2/")));
    assertThat(auth0.seen("/api/v2/users/")).singleElement().satisfies(seen -> {
      assertThat(seen.method()).isEqualTo("GET");
      assertThat(seen.path()).isEqualTo("/api/v2/users/github%7C4242");
      assertThat(seen.authorization()).isEqualTo("Bearer mgmt-CANARY-token");
    });
    assertThat(output.getAll()).doesNotContain(GITHUB_TOKEN, "mgmt-CANARY-token", CLIENT_SECRET);
  }

  @Test
  void managementTokenIsReusedForTheNextUserUntilItExpires() {
    auth0.tokenAnswers(200, """
        {"access_token":"mgmt","token_type":"Bearer","expires_in":86400}""");
    auth0.userAnswers(200, """
        {"identities":[{"provider":"github","connection":"github","access_token":"gho_any"}]}""");
    Auth0TokenVault vault = vault(Auth0Properties.Mode.MANAGEMENT_API);

    vault.issue(request(alice)).close();
    vault.issue(request(Caller.of("github|7", alice.issuer(), Set.of()))).close();

    assertThat(auth0.seen("/oauth/token")).hasSize(1);
    assertThat(auth0.seen("/api/v2/users/")).hasSize(2);
  }

  @Test
  void managementApiUserWithoutAGitHubIdentityThenUserMustReconnect() {
    auth0.tokenAnswers(200, """
        {"access_token":"mgmt","token_type":"Bearer","expires_in":86400}""");
    auth0.userAnswers(200, """
        {"identities":[{"provider":"auth0","connection":"Username-Password-Authentication","isSocial":false}]}""");

    assertThatThrownBy(() -> vault(Auth0Properties.Mode.MANAGEMENT_API).issue(request(alice)))
        .isInstanceOfSatisfying(GatewayException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.RECONNECT_REQUIRED))
        .hasMessageContaining("must reconnect GitHub in Auth0");
  }

  @Test
  void managementApiClientWithoutTheScopeThenConfigurationError() {
    auth0.tokenAnswers(200, """
        {"access_token":"mgmt","token_type":"Bearer","expires_in":86400}""");
    auth0.userAnswers(403, """
        {"statusCode":403,"error":"Forbidden","message":"Insufficient scope, expected any of: read:user_idp_tokens"}""");

    assertThatThrownBy(() -> vault(Auth0Properties.Mode.MANAGEMENT_API).issue(request(alice)))
        .isInstanceOfSatisfying(GatewayException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_UNAVAILABLE))
        .hasMessageContaining("read:user_idp_tokens");
  }

  @Test
  void incompleteConfigurationIsRefusedAtStartNamingTheProperty() {
    assertThatThrownBy(() -> new Auth0Properties("", null, "c", "s", null, null, null, null, null).validate())
        .hasMessageContaining("engine.credentials.auth0.domain");
    assertThatThrownBy(() -> new Auth0Properties("example.eu.auth0.com", null, "", "", null, null, null, null, null)
        .validate()).hasMessageContaining("client-id");
    Auth0Properties bare = new Auth0Properties("example.eu.auth0.com", null, "c", "s", null, null, null, null, null);
    assertThat(bare.issuer()).isEqualTo("https://example.eu.auth0.com/");
    assertThat(bare.toString()).doesNotContain("=s,").contains("[redacted]");
  }
}
