package dev.authoraization.approval.ciba;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.authoraization.support.GatewayHarness.ALICE;
import static dev.authoraization.support.GatewayHarness.call;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.approval.ApprovalRequest.Verdict;
import dev.authoraization.approval.ApprovalState;
import dev.authoraization.approval.ciba.CibaOutcome.Kind;
import dev.authoraization.audit.AuditEntry;
import dev.authoraization.call.ApprovalRequirement;
import dev.authoraization.call.Decision;
import dev.authoraization.call.ToolCallGatewayTests;
import dev.authoraization.support.GatewayHarness;
import dev.authoraization.support.TestDatabases;
import dev.authoraization.support.TestTokens;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.web.client.RestTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The CIBA channel against a stub of Auth0's Authentication API, its response shapes taken from
 * Auth0's documentation: "Back-Channel Login" ({@code POST /bc-authorize}: {@code auth_req_id},
 * {@code expires_in}, {@code interval}; {@code login_hint} in the {@code iss_sub} format) and
 * "Back-Channel Login flow - Status Check" ({@code POST /oauth/token}: {@code authorization_pending},
 * {@code slow_down} with a {@code Retry-After} header, {@code access_denied} "denied ... or it has
 * been expired", and the tokens). Timers are fired by hand, so a 10 s interval takes no time.
 */
class CibaAuth0StubTests {

  static final String CLIENT_ID = "engine-client";
  static final String ADMIN = "auth0|admin";
  static final JsonMapper JSON = JsonMapper.builder().build();

  WireMockServer auth0;
  String issuer;
  RSAKey key;
  GatewayHarness h;
  ManualTimer timer = new ManualTimer();
  List<CibaOutcome> outcomes = new CopyOnWriteArrayList<>();
  CibaApprovalChannel channel;
  ApprovalRequest request;
  String secret;

  @BeforeEach
  void auth0() throws JOSEException {
    auth0 = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    auth0.start();
    issuer = "http://127.0.0.1:" + auth0.port() + "/";
    key = new RSAKeyGenerator(2048).keyID("auth0-key").generate();
    auth0.stubFor(get(urlPathEqualTo("/.well-known/openid-configuration")).willReturn(okJson("""
        {"issuer":"%1$s","backchannel_authentication_endpoint":"%1$sbc-authorize","token_endpoint":"%1$soauth/token",
         "jwks_uri":"%1$s.well-known/jwks.json","backchannel_token_delivery_modes_supported":["poll"]}"""
        .formatted(issuer))));
    auth0.stubFor(get(urlPathEqualTo("/.well-known/jwks.json"))
        .willReturn(okJson(new JWKSet(key.toPublicJWK()).toString())));
    auth0.stubFor(post(urlPathEqualTo("/bc-authorize"))
        .willReturn(okJson("{\"auth_req_id\":\"eyJh-req-1\",\"expires_in\":300,\"interval\":5}")));
    h = new GatewayHarness(TestDatabases.h2(), ToolCallGatewayTests.POLICY, false);
    secret = "test-secret-" + System.nanoTime();
    CibaProperties properties = new CibaProperties(true, issuer, "", "", "", CLIENT_ID, secret,
        CibaProperties.Provider.AUTH0, Map.of("approver", List.of(ADMIN)), "roles", true, null, Duration.ofSeconds(5),
        Duration.ofSeconds(5), List.of()).validate();
    CibaClient client = new CibaClient(properties, CibaClient.httpClient(properties));
    channel = new CibaApprovalChannel(properties, client,
        new CibaTokenVerifier(properties, client::endpoints, new RestTemplate()), () -> h.approvals, timer,
        Runnable::run, h.clock, outcomes::add, List.of());
    request = h.approvals.request(call("merge_change", "{\"repo\":\"acme/api\",\"number\":42}", ALICE), "decision-1",
        "acme/api", Map.of("expected_head", "abc123"), Map.of(),
        new Decision.NeedsApproval("merge", new ApprovalRequirement(Set.of("approver"), 1, Duration.ofMinutes(15), true)),
        "rev-1");
  }

  @AfterEach
  void stop() {
    channel.close();
    auth0.stop();
  }

  @Test
  void backchannelRequestNamesTheApproverInIssSubFormatWithAnAuth0BindingMessage() {
    channel.requested(request);

    List<LoggedRequest> sent = auth0.findAll(postRequestedFor(urlPathEqualTo("/bc-authorize")));
    assertThat(sent).hasSize(1);
    Map<String, String> form = form(sent.getFirst());
    assertThat(JSON.readTree(form.get("login_hint")))
        .isEqualTo(JSON.readTree("{\"format\":\"iss_sub\",\"iss\":\"" + issuer + "\",\"sub\":\"auth0|admin\"}"));
    assertThat(form.get("scope")).isEqualTo("openid");
    assertThat(form.get("binding_message")).hasSizeLessThanOrEqualTo(64)
        .matches("^[a-zA-Z0-9 +\\-_.,:#]{1,64}$")
        .isEqualTo(BindingMessages.code(request.fingerprint()) + " merge_change on acme api");
    JsonNode details = JSON.readTree(form.get("authorization_details"));
    assertThat(details.get(0).path("type").asString()).isEqualTo("authoraization_action");
    assertThat(details.get(0).path("fingerprint").asString()).isEqualTo(request.fingerprint().hex());
    assertThat(details.get(0).path("preconditions").path("expected_head").asString()).isEqualTo("abc123");
    assertThat(sent.getFirst().getHeader("Authorization")).startsWith("Basic ");
    assertThat(form).doesNotContainKey("client_secret");
    assertThat(timer.delays()).containsExactly(Duration.ofSeconds(5));
  }

  @Test
  void discoveryNamingAnotherIssuerIsNotTrustedAndNothingIsSent() {
    auth0.stubFor(get(urlPathEqualTo("/.well-known/openid-configuration")).willReturn(okJson("""
        {"issuer":"https://evil.example/","backchannel_authentication_endpoint":"%1$sbc-authorize",
         "token_endpoint":"%1$soauth/token","jwks_uri":"%1$s.well-known/jwks.json"}""".formatted(issuer))));

    channel.requested(request);

    assertThat(auth0.findAll(postRequestedFor(urlPathEqualTo("/bc-authorize")))).isEmpty();
    assertThat(outcomes).extracting(CibaOutcome::kind).containsExactly(Kind.NOT_SENT);
    assertThat(timer.armed()).isZero();
  }

  @Test
  void backchannelRequestRefusedByAuth0IsNotPolled() {
    auth0.stubFor(post(urlPathEqualTo("/bc-authorize")).willReturn(aResponse().withStatus(400)
        .withHeader("Content-Type", "application/json")
        .withBody("{\"error\":\"invalid_request\",\"error_description\":\"binding_message is invalid\"}")));

    channel.requested(request);

    assertThat(outcomes).singleElement().satisfies(o -> {
      assertThat(o.kind()).isEqualTo(Kind.NOT_SENT);
      assertThat(o.detail()).contains("invalid_request");
    });
    assertThat(timer.armed()).isZero();
  }

  @Test
  void slowDownAddsFiveSecondsToThisAndEveryLaterPoll() {
    channel.requested(request);
    tokenEndpointSays(400, "{\"error\":\"authorization_pending\",\"error_description\":\"The end-user authorization is pending\"}");
    timer.fire();
    tokenEndpointSays(400, "{\"error\":\"slow_down\",\"error_description\":\"You are polling faster than allowed.\"}");
    timer.fire();
    tokenEndpointSays(400, "{\"error\":\"authorization_pending\"}");
    timer.fire();

    assertThat(timer.delays()).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(10));
    assertThat(h.approvals.get(request.id()).state()).isEqualTo(ApprovalState.PENDING);
  }

  @Test
  void retryAfterLongerThanTheSlowerIntervalIsHonoured() {
    channel.requested(request);
    auth0.stubFor(post(urlPathEqualTo("/oauth/token")).willReturn(aResponse().withStatus(400)
        .withHeader("Content-Type", "application/json").withHeader("Retry-After", "30")
        .withBody("{\"error\":\"slow_down\"}")));
    timer.fire();

    assertThat(timer.delays()).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(30));
  }

  @Test
  void verifiedTokensApproveWithCibaEvidence() {
    channel.requested(request);
    tokenEndpointSays(200, tokens(claims -> claims, detailsFor(request.fingerprint().hex())));
    timer.fire();

    ApprovalRequest approved = h.approvals.get(request.id());
    assertThat(approved.state()).isEqualTo(ApprovalState.APPROVED);
    assertThat(approved.votes()).singleElement().satisfies(v -> {
      assertThat(v.approverSubject()).isEqualTo(ADMIN);
      assertThat(v.approverIssuer()).isEqualTo(issuer);
    });
    AuditEntry vote = h.audit.entries().stream().filter(e -> e.event().equals("approval.vote")).findFirst().orElseThrow();
    assertThat(vote.evidence().path("verified").asBoolean()).isTrue();
    assertThat(vote.evidence().path("details").path("auth_req_id").asString()).isEqualTo("eyJh-req-1");
    assertThat(vote.evidence().path("details").path("sub").asString()).isEqualTo(ADMIN);
    assertThat(vote.evidence().toString()).as("no token in the audit").doesNotContain(".eyJ");
    assertThat(timer.armed()).as("no poll after the final answer").isZero();
  }

  static Stream<Arguments> forgeries() {
    return Stream.of(
        Arguments.of("issued to another client (aud)", (UnaryOperator<JWTClaimsSet.Builder>) c -> c.audience("other-client")),
        Arguments.of("from another issuer (iss)", (UnaryOperator<JWTClaimsSet.Builder>) c -> c.issuer("https://evil.example/")),
        Arguments.of("for another user than asked (sub)", (UnaryOperator<JWTClaimsSet.Builder>) c -> c.subject("auth0|mallory")),
        Arguments.of("authenticated before the request (auth_time)",
            (UnaryOperator<JWTClaimsSet.Builder>) c -> c.claim("auth_time", Instant.now().minusSeconds(600).getEpochSecond())),
        Arguments.of("expired (exp)", (UnaryOperator<JWTClaimsSet.Builder>) c -> c
            .issueTime(Date.from(Instant.now().minusSeconds(600))).expirationTime(Date.from(Instant.now().minusSeconds(120)))));
  }

  @ParameterizedTest(name = "ID token {0} is refused")
  @MethodSource("forgeries")
  void idTokenThatFailsACheckDoesNotApprove(String why, UnaryOperator<JWTClaimsSet.Builder> forge) {
    channel.requested(request);
    tokenEndpointSays(200, tokens(forge, detailsFor(request.fingerprint().hex())));
    timer.fire();

    assertRefused();
  }

  @Test
  void idTokenSignedWithAnotherKeyIsRefused() throws JOSEException {
    channel.requested(request);
    key = new RSAKeyGenerator(2048).keyID("auth0-key").generate(); // same kid, key the JWKS does not have
    tokenEndpointSays(200, tokens(c -> c, detailsFor(request.fingerprint().hex())));
    timer.fire();

    assertRefused();
  }

  @Test
  void keysThatCannotBeFetchedFailClosed() {
    channel.requested(request);
    auth0.stubFor(get(urlPathEqualTo("/.well-known/jwks.json")).willReturn(aResponse().withStatus(500)));
    tokenEndpointSays(200, tokens(c -> c, detailsFor(request.fingerprint().hex())));
    timer.fire();

    assertRefused();
  }

  @Test
  void authorizationDetailsForAnotherActionAreRefused() {
    channel.requested(request);
    tokenEndpointSays(200, tokens(c -> c, detailsFor("0".repeat(64))));
    timer.fire();

    assertRefused();
    assertThat(outcomes.getFirst().detail()).contains("authorization_details");
  }

  @Test
  void accessDeniedIsRecordedAsADenyAndPollingEnds() {
    channel.requested(request);
    tokenEndpointSays(400, "{\"error\":\"access_denied\",\"error_description\":\"The end-user denied the authorization request or it has been expired\"}");
    timer.fire();

    ApprovalRequest denied = h.approvals.get(request.id());
    assertThat(denied.state()).isEqualTo(ApprovalState.DENIED);
    assertThat(denied.reason()).isEqualTo("denied_on_device");
    assertThat(outcomes).extracting(CibaOutcome::kind).containsExactly(Kind.DENIED);
    assertThat(timer.armed()).isZero();
  }

  @Test
  void accessDeniedAfterExpiresInIsAnExpiryNotADeny() {
    // Auth0 documents access_denied for "denied ... or it has been expired"
    channel.requested(request);
    h.clock.advance(Duration.ofSeconds(301));
    tokenEndpointSays(400, "{\"error\":\"access_denied\"}");
    timer.fire();

    assertThat(h.approvals.get(request.id()).state()).isEqualTo(ApprovalState.PENDING);
    assertThat(outcomes).extracting(CibaOutcome::kind).containsExactly(Kind.EXPIRED);
  }

  @Test
  void requestDecidedElsewhereStopsPollingWithoutAskingAuth0Again() {
    channel.requested(request);
    h.approvals.decide(request.id(), GatewayHarness.ADMIN, request.fingerprint(), Verdict.APPROVE, "");
    timer.fire();

    assertThat(auth0.findAll(postRequestedFor(urlPathEqualTo("/oauth/token")))).isEmpty();
    assertThat(outcomes).extracting(CibaOutcome::kind).containsExactly(Kind.STOPPED);
    assertThat(timer.armed()).isZero();
  }

  @Test
  @ExtendWith(OutputCaptureExtension.class)
  void noTokenSecretOrAuthReqIdReachesTheLogsEvenAtDebug(CapturedOutput output) {
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(CibaApprovalChannel.class);
    ch.qos.logback.classic.Level before = logger.getLevel();
    logger.setLevel(ch.qos.logback.classic.Level.DEBUG);
    try {
      channel.requested(request);
      String forged = tokens(c -> c.audience("other-client"), detailsFor(request.fingerprint().hex()));
      tokenEndpointSays(200, forged);
      timer.fire();
      channel.requested(request);
      String good = tokens(c -> c, detailsFor(request.fingerprint().hex()));
      tokenEndpointSays(200, good);
      timer.fire();

      assertThat(h.approvals.get(request.id()).state()).isEqualTo(ApprovalState.APPROVED);
      assertThat(output.getAll()).contains("does not count", "answered APPROVE")
          .doesNotContain(JSON.readTree(forged).path("id_token").asString())
          .doesNotContain(JSON.readTree(good).path("id_token").asString())
          .doesNotContain(JSON.readTree(good).path("access_token").asString())
          .doesNotContain(secret)
          .doesNotContain("eyJh-req-1");
    } finally {
      logger.setLevel(before);
    }
  }

  @Test
  void unreachableTokenEndpointKeepsPollingWithBackoffAndDecidesNothing() {
    channel.requested(request);
    tokenEndpointSays(503, "");
    timer.fire();

    assertThat(timer.delays()).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(10));
    assertThat(h.approvals.get(request.id()).state()).isEqualTo(ApprovalState.PENDING);
    assertThat(outcomes).isEmpty();
  }

  private void assertRefused() {
    assertThat(h.approvals.get(request.id()).state()).isEqualTo(ApprovalState.PENDING);
    assertThat(h.approvals.get(request.id()).votes()).isEmpty();
    assertThat(outcomes).extracting(CibaOutcome::kind).containsExactly(Kind.REFUSED);
    assertThat(timer.armed()).as("first final answer is final").isZero();
  }

  private void tokenEndpointSays(int status, String body) {
    auth0.stubFor(post(urlPathEqualTo("/oauth/token")).willReturn(aResponse().withStatus(status)
        .withHeader("Content-Type", "application/json").withBody(body)));
  }

  private String tokens(UnaryOperator<JWTClaimsSet.Builder> forge, String details) {
    Instant now = Instant.now();
    JWTClaimsSet.Builder id = new JWTClaimsSet.Builder().issuer(issuer).subject(ADMIN).audience(CLIENT_ID)
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)))
        .claim("auth_time", now.getEpochSecond());
    JWTClaimsSet access = new JWTClaimsSet.Builder().issuer(issuer).subject(ADMIN).audience("https://api.example/")
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)))
        .claim("roles", List.of("approver")).build();
    return """
        {"access_token":"%s","id_token":"%s","expires_in":86400,"scope":"openid","token_type":"Bearer",
         "authorization_details":%s}""".formatted(sign(access), sign(forge.apply(id).build()), details);
  }

  private static String detailsFor(String fingerprint) {
    return "[{\"type\":\"authoraization_action\",\"tool\":\"merge_change\",\"fingerprint\":\"" + fingerprint + "\"}]";
  }

  private String sign(JWTClaimsSet claims) {
    return TestTokens.sign(key, claims);
  }

  private static Map<String, String> form(LoggedRequest request) {
    Map<String, String> form = new LinkedHashMap<>();
    Arrays.stream(request.getBodyAsString().split("&")).map(pair -> pair.split("=", 2))
        .forEach(kv -> form.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
            URLDecoder.decode(kv.length > 1 ? kv[1] : "", StandardCharsets.UTF_8)));
    return form;
  }
}
