package dev.authoraization.identity;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.authoraization.support.TestTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * An issuer's JWKS going down after its keys were fetched: they keep verifying tokens for the
 * outage window after their last successful fetch (15 min in the engine, shortened here), then
 * the issuer counts as unavailable, and a fetch that works again ends it. An issuer known only by
 * its discovery document gets the same bounded, outage-tolerant keys.
 */
class IssuerKeysOutageTests {

  final WireMockServer issuer = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

  @AfterEach
  void stop() {
    issuer.stop();
  }

  @Test
  void keysWhenTheIssuerGoesDownThenServedUntilTheOutageWindowEndsThenUnavailableThenFetchedWhenBack() throws Exception {
    issuer.start();
    RSAKey key = new RSAKeyGenerator(2048).keyID("k1").generate();
    String jwks = new JWKSet(key.toPublicJWK()).toString();
    issuer.stubFor(WireMock.get(urlPathEqualTo("/jwks")).willReturn(okJson(jwks)));
    JWKSource<SecurityContext> keys = TrustedIssuers.keys(issuer.baseUrl() + "/jwks",
        new IdentityProperties.Keys(Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofSeconds(5)));
    JWKSelector k1 = new JWKSelector(new JWKMatcher.Builder().keyID("k1").build());
    assertThat(keys.get(k1, null)).extracting(JWK::getKeyID).containsExactly("k1");

    issuer.stubFor(WireMock.get(urlPathEqualTo("/jwks")).willReturn(aResponse().withStatus(500)));

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      List<JWK> found = keys.get(k1, null);
      assertThat(issuer.findAll(getRequestedFor(urlPathEqualTo("/jwks")))).as("asked again, failed").hasSizeGreaterThan(1);
      assertThat(found).as("the fetched key still verifies").extracting(JWK::getKeyID).containsExactly("k1");
    });
    // a token naming a key the issuer never served finds none: refused as a bad token (401)
    assertThat(keys.get(new JWKSelector(new JWKMatcher.Builder().keyID("k2").build()), null)).isEmpty();
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
        assertThatThrownBy(() -> keys.get(k1, null)).as("outage window over").isInstanceOf(KeySourceException.class));

    issuer.stubFor(WireMock.get(urlPathEqualTo("/jwks")).willReturn(okJson(jwks)));
    assertThat(keys.get(k1, null)).extracting(JWK::getKeyID).containsExactly("k1");
  }

  @Test
  void issuerKnownOnlyByDiscoveryWhenItsKeysGoDownThenTokensStillVerifyWithinTheOutageWindow() throws Exception {
    issuer.start();
    RSAKey key = new RSAKeyGenerator(2048).keyID("k1").generate();
    issuer.stubFor(WireMock.get(urlPathEqualTo("/.well-known/openid-configuration")).willReturn(okJson(discovery(
        issuer.baseUrl()))));
    issuer.stubFor(WireMock.get(urlPathEqualTo("/jwks")).willReturn(okJson(new JWKSet(key.toPublicJWK()).toString())));
    IdentityProperties.Issuer configured = new IdentityProperties.Issuer(issuer.baseUrl(), null, null,
        List.of("engine"), null, null, null,
        new IdentityProperties.Keys(Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofMinutes(15)));
    NimbusJwtDecoder decoder = TrustedIssuers.decoder(configured);
    String token = TestTokens.sign(key, new JWTClaimsSet.Builder().issuer(issuer.baseUrl()).subject("alice")
        .audience("engine").expirationTime(Date.from(Instant.now().plusSeconds(300))).build());
    assertThat(decoder.decode(token).getSubject()).isEqualTo("alice");

    issuer.stubFor(WireMock.get(urlPathEqualTo("/jwks")).willReturn(aResponse().withStatus(503)));

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      String subject = decoder.decode(token).getSubject();
      assertThat(issuer.findAll(getRequestedFor(urlPathEqualTo("/jwks")))).as("asked again, failed").hasSizeGreaterThan(1);
      assertThat(subject).as("the discovered keys are outage tolerant too").isEqualTo("alice");
    });
  }

  @Test
  void discoveryDocumentNamingAnotherIssuerOrTooSlowIsRefusedWithinTheTimeout() {
    issuer.start();
    IdentityProperties.Issuer configured = new IdentityProperties.Issuer(issuer.baseUrl(), null, null,
        List.of("engine"), null, null, null, new IdentityProperties.Keys(Duration.ofMillis(500), null, null));
    issuer.stubFor(WireMock.get(urlPathEqualTo("/.well-known/openid-configuration"))
        .willReturn(okJson(discovery("https://evil.test"))));

    assertThatThrownBy(() -> TrustedIssuers.decoder(configured)).hasMessageContaining(issuer.baseUrl());
    assertThat(issuer.findAll(getRequestedFor(urlPathEqualTo("/jwks")))).as("no keys taken from it").isEmpty();

    issuer.stubFor(WireMock.get(urlPathEqualTo("/.well-known/openid-configuration"))
        .willReturn(okJson(discovery(issuer.baseUrl())).withFixedDelay(3_000)));
    long started = System.nanoTime();
    assertThatThrownBy(() -> TrustedIssuers.decoder(configured)).hasMessageContaining("discovery document");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
  }

  private String discovery(String iss) {
    return """
        {"issuer": "%s", "authorization_endpoint": "%s/authorize", "jwks_uri": "%s/jwks",
         "response_types_supported": ["code"], "subject_types_supported": ["public"],
         "id_token_signing_alg_values_supported": ["RS256"]}
        """.formatted(iss, issuer.baseUrl(), issuer.baseUrl());
  }
}
