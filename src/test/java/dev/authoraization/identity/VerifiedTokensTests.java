package dev.authoraization.identity;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.authoraization.call.Caller;
import dev.authoraization.support.MutableClock;
import dev.authoraization.support.TestTokens;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * The doors verify a bearer token once and take the same token as verified while it holds
 * ({@link VerifiedTokens}, ADR 0017). These tests attack that shortcut: altered copies of a
 * remembered token, a remembered token past its {@code exp}, and a remembered token whose key its
 * issuer has withdrawn.
 */
class VerifiedTokensTests {

  static final IdentityProperties.Issuer ISSUER = new IdentityProperties.Issuer(TestTokens.ISSUER, null,
      TestTokens.publicKeyLocation(), List.of(TestTokens.AUDIENCE), null, null, Duration.ZERO, null);

  final WireMockServer jwks = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
  final AtomicInteger checked = new AtomicInteger();

  @AfterEach
  void stop() {
    jwks.stop();
  }

  @Test
  void aTokenUsedAgainIsNotVerifiedAgainAndNamesTheSameCaller() {
    TrustedIssuers issuers = countingIssuers(Clock.systemUTC());
    String token = TestTokens.token("alice", "developer");

    Caller first = issuers.caller(token);
    Caller again = issuers.caller(token);

    assertThat(again).isEqualTo(first);
    assertThat(first.subject()).isEqualTo("alice");
    assertThat(checked).as("the signature was checked once").hasValue(1);
  }

  @Test
  void alteredCopiesOfARememberedTokenAreVerifiedAndRefused() {
    TrustedIssuers issuers = countingIssuers(Clock.systemUTC());
    String token = TestTokens.token("alice", "developer");
    issuers.caller(token);
    String[] parts = token.split("\\.");
    String asAdmin = TestTokens.sign(TestTokens.claims("alice", "approver").build()).split("\\.")[1];
    char tenth = parts[2].charAt(10);
    String otherSignature = parts[2].substring(0, 10) + (tenth == 'A' ? 'B' : 'A') + parts[2].substring(11);

    List<String> forged = List.of(
        parts[0] + "." + asAdmin + "." + parts[2], // other claims under the remembered signature
        parts[0] + "." + parts[1] + "." + otherSignature,
        parts[0] + "." + parts[1] + "."); // no signature at all

    for (String attempt : forged) {
      assertThatThrownBy(() -> issuers.caller(attempt)).as(attempt).isInstanceOf(AuthenticationException.class);
    }
    assertThat(issuers.caller(token).roles()).containsExactly("developer");
  }

  @Test
  void aRememberedTokenIsRefusedOnceItsExpHasPassed() {
    TrustedIssuers issuers = countingIssuers(Clock.systemUTC());
    String token = TestTokens.sign(TestTokens.claims("alice", "developer")
        .expirationTime(Date.from(Instant.now().plusSeconds(2))).build());
    assertThat(issuers.caller(token).subject()).isEqualTo("alice");

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThatThrownBy(() -> issuers.caller(token)).isInstanceOf(AuthenticationException.class));
  }

  @Test
  void aRememberedTokenIsNotTakenAsVerifiedPastItsExpEvenWhenTheCheckWouldStillPass() {
    MutableClock clock = MutableClock.startingNow();
    TrustedIssuers issuers = countingIssuers(clock);
    Instant exp = Instant.now().plusSeconds(600);
    String token = TestTokens.sign(TestTokens.claims("alice", "developer").expirationTime(Date.from(exp)).build());
    issuers.caller(token);
    issuers.caller(token);
    assertThat(checked).hasValue(1);

    clock.advance(Duration.between(clock.instant(), exp)); // the decoder's clock (the real one) is 10 min earlier
    issuers.caller(token);
    issuers.caller(token);

    assertThat(checked).as("checked each time, and not remembered again").hasValue(3);
  }

  @Test
  void aRememberedTokenIsRefusedWithinTheKeyCacheTimeAfterItsIssuerWithdrewTheKey() throws Exception {
    jwks.start();
    RSAKey withdrawn = new RSAKeyGenerator(2048).keyID("k1").generate();
    RSAKey next = new RSAKeyGenerator(2048).keyID("k2").generate();
    jwks.stubFor(WireMock.get(urlPathEqualTo("/jwks"))
        .willReturn(okJson(new JWKSet(withdrawn.toPublicJWK()).toString())));
    IdentityProperties.Issuer issuer = new IdentityProperties.Issuer("https://rotating.test", jwks.baseUrl() + "/jwks",
        null, List.of("engine"), null, null, null,
        new IdentityProperties.Keys(Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofMinutes(15)));
    TrustedIssuers issuers = new TrustedIssuers(List.of(issuer), Map.of());
    String token = TestTokens.sign(withdrawn, new JWTClaimsSet.Builder().issuer("https://rotating.test")
        .subject("alice").audience("engine").expirationTime(Date.from(Instant.now().plusSeconds(3600))).build());
    assertThat(issuers.caller(token).subject()).isEqualTo("alice");

    jwks.stubFor(WireMock.get(urlPathEqualTo("/jwks")).willReturn(okJson(new JWKSet(next.toPublicJWK()).toString())));

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThatThrownBy(() -> issuers.caller(token)).isInstanceOf(AuthenticationException.class));
  }

  @Test
  void aRefusedTokenIsNotRemembered() {
    TrustedIssuers issuers = countingIssuers(Clock.systemUTC());
    String otherAudience =
        TestTokens.sign(TestTokens.claims("alice", "developer").audience("another-service").build());

    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> issuers.caller(otherAudience)).isInstanceOf(AuthenticationException.class);
    }
    assertThat(checked).as("checked, and refused, every time").hasValue(3);
  }

  /** The test issuer, its decoder counting the tokens it verifies. */
  private TrustedIssuers countingIssuers(Clock clock) {
    NimbusJwtDecoder decoder = TrustedIssuers.decoder(ISSUER);
    decoder.setJwtValidator(TrustedIssuers.validator(ISSUER));
    JwtDecoder counting = token -> {
      checked.incrementAndGet();
      return decoder.decode(token);
    };
    return new TrustedIssuers(List.of(ISSUER), Map.of(ISSUER.uri(), () -> counting), clock);
  }
}
