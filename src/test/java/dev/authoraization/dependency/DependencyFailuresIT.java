package dev.authoraization.dependency;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import dev.authoraization.support.EngineIT;
import dev.authoraization.support.TestTokens;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole engine with GitHub and a second identity provider's JWKS on local stubs: what a
 * caller of the REST door sees when they fail, that the engine recovers by itself, and what
 * {@code /actuator/health} shows (details only for an operator); and what a caller sees when the
 * node already runs as many calls as it may ({@code engine.gateway.max-concurrent-calls}, 2 here).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DependencyFailuresIT extends EngineIT {

  static final WireMockServer STUB = new WireMockServer(wireMockConfig().dynamicPort());
  /** An identity provider that is down (nothing listens on its port) until a test starts it. */
  static final int LATE_PORT = freePort();
  static final WireMockServer LATE = new WireMockServer(wireMockConfig().port(LATE_PORT));
  static final String KEYS_ISSUER = "https://keys.test";
  static final String SLOW_ISSUER = "https://slow-keys.test";
  static final String DOWN_ISSUER = "https://down-keys.test";
  static final RSAKey KEY = generate();
  static final String LIST = "{\"tool\": \"list_issues\", \"arguments\": {\"owner\": \"demo\", \"repo\": \"webapp\"}}";

  static {
    STUB.start();
  }

  @DynamicPropertySource
  static void dependencies(DynamicPropertyRegistry registry) {
    registry.add("engine.github.api-url", () -> STUB.baseUrl() + "/api");
    registry.add("engine.github.request-timeout", () -> "1500ms");
    registry.add("engine.policy.path", () -> "classpath:policy/dependency-policy.yaml");
    registry.add("engine.resilience.backoff", () -> "20ms");
    registry.add("engine.resilience.open-for", () -> "1s");
    registry.add("engine.gateway.max-concurrent-calls", () -> "2");
    registry.add("engine.identity.issuers[1].uri", () -> KEYS_ISSUER);
    registry.add("engine.identity.issuers[1].jwk-set-uri", () -> STUB.baseUrl() + "/jwks");
    registry.add("engine.identity.issuers[1].audiences[0]", () -> TestTokens.AUDIENCE);
    registry.add("engine.identity.issuers[2].uri", () -> SLOW_ISSUER);
    registry.add("engine.identity.issuers[2].jwk-set-uri", () -> STUB.baseUrl() + "/slow-jwks");
    registry.add("engine.identity.issuers[2].audiences[0]", () -> TestTokens.AUDIENCE);
    registry.add("engine.identity.issuers[3].uri", () -> DOWN_ISSUER);
    registry.add("engine.identity.issuers[3].jwk-set-uri", () -> "http://127.0.0.1:" + LATE_PORT + "/jwks");
    registry.add("engine.identity.issuers[3].audiences[0]", () -> TestTokens.AUDIENCE);
  }

  @AfterAll
  static void stop() {
    STUB.stop();
    LATE.stop();
  }

  @BeforeEach
  void githubWorks() {
    STUB.resetAll();
    STUB.stubFor(WireMock.get(urlPathEqualTo("/api/repos/demo/webapp/issues")).willReturn(okJson("[]")));
    STUB.stubFor(WireMock.get(urlPathEqualTo("/api")).willReturn(okJson("{}")));
  }

  private static String developer() {
    return TestTokens.token("alice", "developer");
  }

  static Stream<Arguments> githubFailures() {
    return Stream.of(
        Arguments.of("500", json(500, "{\"message\": \"Server Error\"}"), 503, "dependency_unavailable",
            "github unavailable: ", null),
        Arguments.of("slow", okJson("[]").withFixedDelay(3_000), 503, "dependency_unavailable",
            "did not answer within 1500 ms", null),
        Arguments.of("503 with Retry-After", json(503, "{}").withHeader("Retry-After", "90"), 503,
            "dependency_unavailable", "retry after 90 s", "90"),
        Arguments.of("429", json(429, "{\"message\": \"secondary rate limit\"}").withHeader("retry-after", "60"), 429,
            "rate_limited", "retry after 60 seconds", "60"),
        Arguments.of("403 with no rate limit left", json(403, "{\"message\": \"API rate limit exceeded\"}")
            .withHeader("x-ratelimit-remaining", "0").withHeader("x-ratelimit-reset", "4102444800"), 429,
            "rate_limited", "resets at 2100-01-01T00:00:00Z", null));
  }

  private static ResponseDefinitionBuilder json(int status, String body) {
    return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
  }

  @Order(1)
  @ParameterizedTest(name = "GitHub {0}")
  @MethodSource("githubFailures")
  void readWhenGitHubFailsThenProblemNamesGitHubAndTheNextCallWorksWhenItIsBack(String mode,
      ResponseDefinitionBuilder answer, int status, String code, String says, String retryAfter) {
    STUB.stubFor(WireMock.get(urlPathEqualTo("/api/repos/demo/webapp/issues")).willReturn(answer));

    Response failed = post("/api/v1/tool-calls", LIST, developer());

    assertThat(failed.status()).isEqualTo(status);
    assertThat(failed.body().path("code").asString()).isEqualTo(code);
    assertThat(failed.body().path("detail").asString()).contains(says);
    assertThat(failed.raw().body()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("test-token-never-sent");
    if (retryAfter != null) {
      assertThat(failed.raw().headers().firstValue("Retry-After")).hasValue(retryAfter);
    }
    if (code.equals("rate_limited") && retryAfter == null) {
      assertThat(failed.raw().headers().firstValue("Retry-After")).as("seconds until the reset").isPresent();
    }

    STUB.stubFor(WireMock.get(urlPathEqualTo("/api/repos/demo/webapp/issues")).willReturn(okJson("[]")));
    // back: the next call works, at the latest once the circuit lets a trial call through
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(post("/api/v1/tool-calls", LIST, developer()).status()).isEqualTo(200));
  }

  @Order(2)
  @Test
  void tokenWhenTheIssuersKeysCannotBeFetchedThen503NamingTheIdentityProviderAndRecoversWhenBack() {
    STUB.stubFor(WireMock.get(urlPathEqualTo("/jwks")).willReturn(json(500, "{}")));

    Response failed = post("/api/v1/tool-calls", LIST, keysIssuerToken());

    assertThat(failed.status()).isEqualTo(503);
    assertThat(failed.body().path("code").asString()).isEqualTo("dependency_unavailable");
    assertThat(failed.body().path("dependency").asString()).isEqualTo("identity");
    assertThat(failed.body().path("detail").asString()).startsWith("identity provider unavailable: ")
        .contains(KEYS_ISSUER);
    assertThat(failed.raw().headers().firstValue("Retry-After")).isPresent();
    assertThat(failed.raw().body()).doesNotContain("Exception");
    assertThat(STUB.findAll(com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
        urlPathEqualTo("/api/repos/demo/webapp/issues")))).as("nothing ran").isEmpty();

    STUB.stubFor(WireMock.get(urlPathEqualTo("/jwks")).willReturn(okJson(new JWKSet(KEY.toPublicJWK()).toString())));
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(post("/api/v1/tool-calls", LIST, keysIssuerToken()).status()).isEqualTo(200));
  }

  @Order(5)
  @Test
  void healthShowsAComponentPerDependencyWithDetailsOnlyForAnOperator() {
    STUB.stubFor(WireMock.get(urlPathEqualTo("/jwks")).willReturn(okJson(new JWKSet(KEY.toPublicJWK()).toString())));

    // the first probe of a cold stub may exceed the probe's 2 s timeout on a loaded machine; results live 5 s
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
        .untilAsserted(() -> assertThat(get("/actuator/health", null).status()).isEqualTo(200));
    Response anonymous = get("/actuator/health", null);
    Response developer = get("/actuator/health", developer());
    Response operator = get("/actuator/health", TestTokens.token("ops", "operator"));

    assertThat(anonymous.status()).as(anonymous.raw().body()).isEqualTo(200);
    for (String component : List.of("db", "github", "vault", "identity")) {
      assertThat(anonymous.body().path("components").path(component).path("status").asString()).as(component).isEqualTo("UP");
      assertThat(anonymous.body().path("components").path(component).has("details")).as(component).isFalse();
      assertThat(developer.body().path("components").path(component).has("details")).as(component).isFalse();
    }
    assertThat(operator.body().path("components").path("github").path("details").path("circuit").asString()).isEqualTo("CLOSED");
    assertThat(operator.body().path("components").path("identity").path("details").path("issuers")
        .path(KEYS_ISSUER).path("status").asString()).isEqualTo("UP");
    assertThat(operator.body().path("components").path("db").path("details").path("database").asString()).isNotEmpty();
    assertThat(operator.raw().body()).doesNotContain("test-token-never-sent");
  }

  @Order(6)
  @Test
  void healthWhenGitHubIsDownThenItsComponentIsDownButReadinessFollowsOnlyTheDatabase() {
    STUB.stubFor(WireMock.get(urlPathEqualTo("/api")).willReturn(json(502, "{}")));

    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> assertThat(
        get("/actuator/health", null).body().path("components").path("github").path("status").asString()).isEqualTo("DOWN"));
    Response readiness = get("/actuator/health/readiness", TestTokens.token("ops", "operator"));
    Response liveness = get("/actuator/health/liveness", null);

    assertThat(readiness.status()).isEqualTo(200);
    assertThat(readiness.body().path("components").has("db")).isTrue();
    assertThat(readiness.body().path("components").has("github")).isFalse();
    assertThat(liveness.status()).isEqualTo(200);
    assertThat(liveness.body().path("status").asString()).isEqualTo("UP");
  }

  static Stream<Arguments> keysUnavailable() {
    return Stream.of(Arguments.of("slow (beyond the 2 s key fetch timeout)", SLOW_ISSUER),
        Arguments.of("down (connection refused)", DOWN_ISSUER));
  }

  @Order(3)
  @ParameterizedTest(name = "identity provider {0}")
  @MethodSource("keysUnavailable")
  @ExtendWith(OutputCaptureExtension.class)
  void tokenWhenTheIssuerIsSlowOrDownThen503NamingTheIdentityProviderNot401AndRecoversWhenBack(String mode,
      String issuer, CapturedOutput output) {
    STUB.stubFor(WireMock.get(urlPathEqualTo("/slow-jwks"))
        .willReturn(okJson(new JWKSet(KEY.toPublicJWK()).toString()).withFixedDelay(5_000)));

    long started = System.nanoTime();
    Response failed = post("/api/v1/tool-calls", LIST, tokenFrom(issuer));

    assertThat(failed.status()).as(failed.raw().body()).isEqualTo(503);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).as("bounded by the fetch timeout").isLessThan(Duration.ofSeconds(5));
    assertThat(failed.body().path("code").asString()).isEqualTo("dependency_unavailable");
    assertThat(failed.body().path("dependency").asString()).isEqualTo("identity");
    assertThat(failed.body().path("detail").asString()).startsWith("identity provider unavailable: ").contains(issuer);
    assertThat(failed.raw().headers().firstValue("Retry-After")).isPresent();
    assertThat(failed.raw().headers().firstValue("WWW-Authenticate")).as("not a bad token").isEmpty();
    assertThat(failed.raw().body()).doesNotContain("Exception");
    assertThat(STUB.findAll(WireMock.getRequestedFor(urlPathEqualTo("/api/repos/demo/webapp/issues"))))
        .as("nothing ran").isEmpty();
    assertThat(output.getOut()).as("the operator is told, not only the caller")
        .contains("WARN", "Identity provider " + issuer + " unavailable: its signing keys could not be fetched");

    STUB.stubFor(WireMock.get(urlPathEqualTo("/slow-jwks")).willReturn(okJson(new JWKSet(KEY.toPublicJWK()).toString())));
    if (issuer.equals(DOWN_ISSUER)) {
      LATE.stubFor(WireMock.get(urlPathEqualTo("/jwks")).willReturn(okJson(new JWKSet(KEY.toPublicJWK()).toString())));
      LATE.start();
    }
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(post("/api/v1/tool-calls", LIST, tokenFrom(issuer)).status()).isEqualTo(200));
  }

  @Order(4)
  @Test
  void tokenWhenTheIssuersKeysWereFetchedThenTheyKeepWorkingWhileItIsDown() {
    STUB.stubFor(WireMock.get(urlPathEqualTo("/jwks")).willReturn(okJson(new JWKSet(KEY.toPublicJWK()).toString())));
    assertThat(post("/api/v1/tool-calls", LIST, keysIssuerToken()).status()).isEqualTo(200);

    STUB.stubFor(WireMock.get(urlPathEqualTo("/jwks")).willReturn(json(500, "{}")));
    STUB.resetRequests();

    assertThat(post("/api/v1/tool-calls", LIST, keysIssuerToken()).status()).isEqualTo(200);
    assertThat(STUB.findAll(WireMock.getRequestedFor(urlPathEqualTo("/jwks")))).as("served from the cache").isEmpty();
  }

  @Order(7)
  @Test
  void callBeyondTheNodesLimitWhileTwoRunThen503OverloadedWithRetryAfterAndTheNextCallRunsOnceTheyEnd()
      throws Exception {
    STUB.stubFor(WireMock.get(urlPathEqualTo("/api/repos/demo/webapp/issues"))
        .willReturn(okJson("[]").withFixedDelay(1_200)));
    try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<Response> first = callers.submit(() -> post("/api/v1/tool-calls", LIST, developer()));
      Future<Response> second = callers.submit(() -> post("/api/v1/tool-calls", LIST, developer()));
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> STUB.findAll(
          WireMock.getRequestedFor(urlPathEqualTo("/api/repos/demo/webapp/issues"))).size() == 2);

      Response refused = post("/api/v1/tool-calls", LIST, developer());

      assertThat(refused.status()).as(refused.raw().body()).isEqualTo(503);
      assertThat(refused.body().path("code").asString()).isEqualTo("overloaded");
      assertThat(refused.body().path("detail").asString()).contains("already running 2");
      assertThat(refused.raw().headers().firstValue("Retry-After")).hasValue("1");
      assertThat(first.get().status()).as(first.get().raw().body()).isEqualTo(200);
      assertThat(second.get().status()).as(second.get().raw().body()).isEqualTo(200);
    }
    assertThat(STUB.findAll(WireMock.getRequestedFor(urlPathEqualTo("/api/repos/demo/webapp/issues"))))
        .as("the refused call never reached GitHub").hasSize(2);

    STUB.stubFor(WireMock.get(urlPathEqualTo("/api/repos/demo/webapp/issues")).willReturn(okJson("[]")));
    assertThat(post("/api/v1/tool-calls", LIST, developer()).status()).as("places given back").isEqualTo(200);
  }

  private static int freePort() {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String keysIssuerToken() {
    return tokenFrom(KEYS_ISSUER);
  }

  private static String tokenFrom(String issuer) {
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(KEY.getKeyID()).build(),
          TestTokens.claims("bob", "developer").issuer(issuer).build());
      jwt.sign(new RSASSASigner(KEY));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static RSAKey generate() {
    try {
      return new RSAKeyGenerator(2048).keyID("keys-test").generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }
}
