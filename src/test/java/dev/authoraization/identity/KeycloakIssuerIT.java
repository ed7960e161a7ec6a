package dev.authoraization.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.authoraization.call.Caller;
import dev.authoraization.credential.Credential;
import dev.authoraization.credential.CredentialNeed;
import dev.authoraization.credential.CredentialRequest;
import dev.authoraization.credential.keycloak.KeycloakBrokerVault;
import dev.authoraization.support.EngineIT;
import dev.authoraization.support.KeycloakLogin;
import dev.authoraization.support.KeycloakServer;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Keycloak as an external issuer of the REST door, configured as a user would: issuer, audience
 * and {@code realm_access.roles}. Tokens come from a real sign-in (through the {@code upstream}
 * identity provider, whose users are given the realm role {@code developer}).
 */
class KeycloakIssuerIT extends EngineIT {

  static final String READ_NOTES = "{\"tool\":\"read_notes\",\"arguments\":{\"repo\":\"demo/webapp\"}}";

  static JsonNode engineTokens;
  static JsonNode otherServiceTokens;

  @DynamicPropertySource
  static void keycloakIssuer(DynamicPropertyRegistry registry) {
    registry.add("engine.identity.issuers[1].uri", () -> KeycloakServer.get().issuer());
    registry.add("engine.identity.issuers[1].audiences[0]", () -> "authoraization-engine-api");
    registry.add("engine.identity.issuers[1].roles-claim", () -> "realm_access.roles");
    // GitHub credentials from the realm's stored broker tokens (alias upstream: what carol signed in with)
    registry.add("engine.github.credentials", () -> "keycloak");
    registry.add("engine.credentials.keycloak.issuer", () -> KeycloakServer.get().issuer());
    registry.add("engine.credentials.keycloak.alias", () -> "upstream");
  }

  @Autowired
  KeycloakBrokerVault vault;

  @BeforeAll
  static void signIn() {
    KeycloakServer keycloak = KeycloakServer.get();
    KeycloakLogin browser = new KeycloakLogin(keycloak);
    engineTokens = browser.signInThroughUpstream("authoraization-web", "carol", keycloak.upstreamUserPassword());
    // same browser, same Keycloak session: a token for another service of the realm, without a new login
    otherServiceTokens = browser.signInThroughUpstream("other-service", "carol", keycloak.upstreamUserPassword());
  }

  @Test
  void keycloakTokenForTheEngineThenTheCallRunsWithRolesFromRealmAccess() {
    Response r = post("/api/v1/tool-calls", READ_NOTES, engineTokens.path("access_token").asString());

    // the policy allows read_notes only to "developer", a realm role in realm_access.roles
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().path("status").asString()).isEqualTo("completed");
  }

  @Test
  void afterACallAtTheDoorTheConfiguredVaultReadsTheUsersStoredTokenFromAnotherThread() throws Exception {
    String token = engineTokens.path("access_token").asString();
    assertThat(post("/api/v1/tool-calls", READ_NOTES, token).status()).isEqualTo(200);
    JWTClaimsSet claims = SignedJWT.parse(token).getJWTClaimsSet();
    Caller carol = Caller.of(claims.getSubject(), claims.getIssuer(), Set.of("developer"));

    // this test thread never carried carol's bearer token: the door remembered it (until its exp)
    try (Credential credential = vault.issue(new CredentialRequest(
        new CredentialNeed("github", Map.of("contents", "read")), "demo/webapp", carol, false))) {
      assertThat(SignedJWT.parse(credential.secret()).getJWTClaimsSet().getIssuer())
          .isEqualTo(KeycloakServer.get().url() + "/realms/upstream");
    }
  }

  @Test
  void keycloakTokenOfAnotherServiceThen401() {
    Response r = post("/api/v1/tool-calls", READ_NOTES, otherServiceTokens.path("access_token").asString());

    assertThat(r.status()).isEqualTo(401);
  }

  @Test
  void keycloakIdTokenInsteadOfAnAccessTokenThen401() {
    // an ID token is addressed to the client (aud = authoraization-web), not to the engine's API
    Response r = post("/api/v1/tool-calls", READ_NOTES, engineTokens.path("id_token").asString());

    assertThat(r.status()).isEqualTo(401);
  }
}
