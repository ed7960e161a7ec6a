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
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An issuer's JWKS going down after its keys were fetched: they keep verifying tokens for the
 * outage window after their last successful fetch (15 min in the engine, shortened here), then
 * the issuer counts as unavailable, and a fetch that works again ends it.
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
    JWKSource<SecurityContext> keys = TrustedIssuers.keys(issuer.baseUrl() + "/jwks", Duration.ofSeconds(2),
        Duration.ofMillis(100), Duration.ofSeconds(5));
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
}
