package dev.authoraization.credential.keycloak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.authoraization.call.Caller;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.credential.Credential;
import dev.authoraization.credential.CredentialNeed;
import dev.authoraization.credential.CredentialRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The stored-token formats and refusals that the real Keycloak of {@code KeycloakBrokerVaultIT}
 * does not produce there: GitHub's form-encoded token response (what Keycloak stores for its GitHub
 * provider) and a missing {@code broker/read-token} role.
 */
class KeycloakBrokerVaultTests {

  private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

  private final AtomicReference<Integer> status = new AtomicReference<>(200);
  private final AtomicReference<String> body = new AtomicReference<>("{}");
  private final AtomicReference<String> authorization = new AtomicReference<>();
  private final HttpServer keycloak = start();
  private final String issuer = "http://127.0.0.1:" + keycloak.getAddress().getPort() + "/realms/engine";
  private final Caller dana = Caller.of("0b5c-dana", issuer, Set.of("developer"));

  private HttpServer start() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext("/realms/engine/broker/github/token", exchange -> {
        authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
        byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status.get(), bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
      });
      server.start();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterEach
  void stop() {
    keycloak.stop(0);
  }

  private Credential issue() {
    KeycloakBrokerProperties properties = new KeycloakBrokerProperties(issuer, "github", null, Duration.ofMinutes(5), null);
    KeycloakBrokerVault vault = new KeycloakBrokerVault(properties,
        caller -> caller.equals(dana) ? Optional.of("dana-keycloak-token") : Optional.empty(),
        KeycloakBrokerVault.httpClient(properties), Clock.fixed(NOW, ZoneOffset.UTC));
    return vault.issue(new CredentialRequest(new CredentialNeed("github", Map.of("issues", "read")), "demo/webapp",
        dana, false));
  }

  @Test
  void githubsFormEncodedStoredTokenIsReadAndHeldForTheConfiguredTime() {
    body.set("access_token=gho_FORM123&scope=repo%2Cread%3Auser&token_type=bearer");

    try (Credential credential = issue()) {
      assertThat(credential.secret()).isEqualTo("gho_FORM123");
      assertThat(credential.expiresAt()).isEqualTo(NOW.plus(Duration.ofMinutes(5)));
    }
    assertThat(authorization.get()).isEqualTo("Bearer dana-keycloak-token");
  }

  @Test
  void storedJsonTokenIsHeldUntilKeycloaksAccessTokenExpiration() {
    body.set("""
        {"access_token":"gho_JSON456","token_type":"bearer","expires_in":28800,\
        "accessTokenExpiration":%d}""".formatted(NOW.plusSeconds(3600).getEpochSecond()));

    try (Credential credential = issue()) {
      assertThat(credential.secret()).isEqualTo("gho_JSON456");
      assertThat(credential.expiresAt()).isEqualTo(NOW.plusSeconds(3600));
    }
  }

  @Test
  void userTokenWithoutTheReadTokenRoleThenConfigurationErrorNamingTheRole() {
    status.set(403);
    body.set("{\"errorMessage\":\"Client [authoraization-web] not authorized to retrieve tokens from identity provider [github].\"}");

    assertThatThrownBy(this::issue)
        .isInstanceOfSatisfying(GatewayException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_UNAVAILABLE))
        .hasMessageContaining("broker/read-token").hasMessageNotContaining("dana-keycloak-token");
  }

  @Test
  void storedAnswerWithoutAnAccessTokenThenRefused() {
    body.set("{\"error\":\"bad_verification_code\"}");

    assertThatThrownBy(this::issue)
        .isInstanceOfSatisfying(GatewayException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_UNAVAILABLE))
        .hasMessageContaining("no access_token");
  }
}
