package dev.authoraization.credential.keycloak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.authoraization.call.Caller;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.credential.Credential;
import dev.authoraization.credential.CredentialNeed;
import dev.authoraization.credential.CredentialRequest;
import dev.authoraization.credential.SubjectTokens;
import dev.authoraization.support.KeycloakLogin;
import dev.authoraization.support.KeycloakServer;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The broker vault against a real Keycloak: carol signs in to the {@code engine} realm through its
 * identity provider {@code upstream} (a second realm, "Store tokens" on), and the vault reads the
 * upstream access token Keycloak stored, with carol's own engine-realm access token.
 */
@ExtendWith(OutputCaptureExtension.class)
class KeycloakBrokerVaultIT {

  private static final CredentialNeed READ = new CredentialNeed("github", Map.of("contents", "read"));

  static KeycloakServer keycloak;
  static String carolToken;
  static Caller carol;

  @BeforeAll
  static void signIn() throws ParseException {
    keycloak = KeycloakServer.get();
    carolToken = new KeycloakLogin(keycloak).signInThroughUpstream("authoraization-web", "carol",
        keycloak.upstreamUserPassword()).path("access_token").asString();
    // claims read only to name the caller; the door verifies tokens (see KeycloakIssuerIT)
    JWTClaimsSet claims = SignedJWT.parse(carolToken).getJWTClaimsSet();
    carol = Caller.of(claims.getSubject(), claims.getIssuer(), Set.of("developer"));
  }

  private final AtomicReference<Optional<String>> bearer = new AtomicReference<>();

  private KeycloakBrokerVault vault(String alias) {
    KeycloakBrokerProperties properties = new KeycloakBrokerProperties(keycloak.issuer(), alias, null, null, null);
    SubjectTokens tokens = caller -> caller.equals(carol) ? bearer.get() : Optional.empty();
    return new KeycloakBrokerVault(properties, tokens, KeycloakBrokerVault.httpClient(properties), Clock.systemUTC());
  }

  private static CredentialRequest request(Caller caller) {
    return new CredentialRequest(READ, "demo/webapp", caller, false);
  }

  @Test
  void userSignedInThroughTheBrokerThenVaultReturnsTheStoredUpstreamAccessToken(CapturedOutput output)
      throws ParseException {
    bearer.set(Optional.of(carolToken));

    try (Credential credential = vault("upstream").issue(request(carol))) {
      JWTClaimsSet upstream = SignedJWT.parse(credential.secret()).getJWTClaimsSet();
      assertThat(upstream.getIssuer()).isEqualTo(keycloak.url() + "/realms/upstream");
      assertThat(upstream.getStringClaim("preferred_username")).isEqualTo("carol");
      assertThat(credential.broad()).isTrue();
      assertThat(credential.expiresAt()).isAfter(Instant.now()).isBefore(Instant.now().plus(Duration.ofMinutes(6)));
      assertThat(credential.description()).contains("stored by Keycloak", "upstream").doesNotContain(credential.secret());
      assertThat(output.getAll()).doesNotContain(credential.secret()).doesNotContain(carolToken);
    }
  }

  @Test
  void approvedCallRunningWithoutTheBearerThenServedFromTheCache() {
    KeycloakBrokerVault vault = vault("upstream");
    bearer.set(Optional.of(carolToken));
    String first;
    try (Credential credential = vault.issue(request(carol))) {
      first = credential.secret();
    }

    bearer.set(Optional.empty());
    try (Credential credential = vault.issue(request(carol))) {
      assertThat(credential.secret()).isEqualTo(first);
    }
  }

  @Test
  void tamperedUserTokenThenKeycloakRefusesAndNothingLeaks() {
    String[] parts = carolToken.split("\\.");
    String tampered = parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse();
    bearer.set(Optional.of(tampered));

    assertThatThrownBy(() -> vault("upstream").issue(request(carol)))
        .isInstanceOfSatisfying(GatewayException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_UNAVAILABLE);
          assertThat(e.details()).containsKey("status");
        })
        .hasMessageContaining("sign in again").hasMessageNotContaining(parts[1]);
  }

  @Test
  void providerTheUserNeverLinkedThenUserMustReconnect() {
    // the realm has a GitHub identity provider too; carol signed in through upstream only
    bearer.set(Optional.of(carolToken));

    assertThatThrownBy(() -> vault("github").issue(request(carol)))
        .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RECONNECT_REQUIRED))
        .hasMessageContaining("must reconnect github");
  }

  @Test
  void providerMissingFromTheRealmThenUnavailableNotReconnect() {
    bearer.set(Optional.of(carolToken));

    assertThatThrownBy(() -> vault("no-such-provider").issue(request(carol)))
        .isInstanceOfSatisfying(GatewayException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_UNAVAILABLE));
  }

  @Test
  void callerFromAnotherIssuerThenRefusedBeforeAskingKeycloak() {
    Caller impostor = Caller.of(carol.subject(), "http://localhost:8080", Set.of("developer"));
    bearer.set(Optional.of(carolToken));

    assertThatThrownBy(() -> vault("upstream").issue(request(impostor)))
        .isInstanceOfSatisfying(GatewayException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_UNAVAILABLE))
        .hasMessageContaining("sign in through that realm");
  }
}
