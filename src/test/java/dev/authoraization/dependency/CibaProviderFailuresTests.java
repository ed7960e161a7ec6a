package dev.authoraization.dependency;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.approval.ApprovalState;
import dev.authoraization.approval.ApprovalStore;
import dev.authoraization.approval.ApprovalWaiters;
import dev.authoraization.approval.Approvals;
import dev.authoraization.approval.ciba.CibaApprovalChannel;
import dev.authoraization.approval.ciba.CibaClient;
import dev.authoraization.approval.ciba.CibaOutcome;
import dev.authoraization.approval.ciba.CibaOutcome.Kind;
import dev.authoraization.approval.ciba.CibaProperties;
import dev.authoraization.approval.ciba.CibaTokenVerifier;
import dev.authoraization.approval.ciba.PollTimer;
import dev.authoraization.call.CallOutcome;
import dev.authoraization.call.Caller;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.call.ToolCallGateway;
import dev.authoraization.call.ToolCallGatewayTests;
import dev.authoraization.support.FakeTools;
import dev.authoraization.support.GatewayHarness;
import dev.authoraization.support.InMemoryAuditLog;
import dev.authoraization.support.TestDatabases;
import dev.authoraization.support.TestTokens;
import dev.authoraization.tool.ToolCatalog;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Date;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.client.RestTemplate;

/**
 * The CIBA provider down, slow, answering 5xx or 429, against a stub of its three endpoints
 * (backchannel authentication, token, JWKS; shapes as in CIBA Core 7.3 and 11): a request that
 * cannot be sent ends at once with {@code dependency_unavailable} and nothing runs; a failed poll
 * is never a decision, polls back off, and a pending request completes when the provider is back;
 * with the provider's circuit open, new requests are refused before anything is stored. The
 * channel runs on the test thread and its poll timer is fired by hand.
 */
class CibaProviderFailuresTests {

  static final String CLIENT_ID = "engine-client";
  static final String ADMIN = "auth0|admin";
  static final Caller ALICE = GatewayHarness.ALICE;
  static final String MERGE = "{\"repo\":\"acme/api\",\"number\":42}";
  static final ResilienceProperties RESILIENCE = new ResilienceProperties(3, Duration.ofMillis(10), 2.0, 0,
      Duration.ofSeconds(2), 60, 6, 6, Duration.ofMillis(500));

  WireMockServer provider = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
  RSAKey key;
  String issuer;
  final Deque<Runnable> armed = new ArrayDeque<>();
  final List<Duration> delays = new ArrayList<>();
  final List<CibaOutcome> outcomes = new CopyOnWriteArrayList<>();
  final FakeTools tools = new FakeTools();
  final InMemoryAuditLog audit = new InMemoryAuditLog();
  DataSource db;
  Approvals approvals;
  ToolCallGateway gateway;
  CibaApprovalChannel channel;
  CibaProperties properties;

  @BeforeEach
  void provider() throws JOSEException {
    provider.start();
    issuer = "http://127.0.0.1:" + provider.port() + "/";
    key = new RSAKeyGenerator(2048).keyID("ciba-key").generate();
    provider.stubFor(get(urlPathEqualTo("/.well-known/openid-configuration")).willReturn(okJson("""
        {"issuer":"%1$s","backchannel_authentication_endpoint":"%1$sbc-authorize","token_endpoint":"%1$stoken",
         "jwks_uri":"%1$sjwks"}""".formatted(issuer))));
    provider.stubFor(get(urlPathEqualTo("/jwks")).willReturn(okJson(new JWKSet(key.toPublicJWK()).toString())));
    backchannelSays(okJson("{\"auth_req_id\":\"req-1\",\"expires_in\":300,\"interval\":5}"));
    db = TestDatabases.h2();
  }

  @AfterEach
  void stop() {
    if (channel != null) {
      channel.close();
    }
    provider.stop();
  }

  /** The engine's pieces with the CIBA channel as its only approval channel, its endpoints at {@code base}. */
  void engine(String base) {
    properties = new CibaProperties(true, issuer, base + "bc-authorize", base + "token", base + "jwks",
        CLIENT_ID, "test-secret-" + System.nanoTime(), CibaProperties.Provider.AUTH0,
        Map.of("approver", List.of(ADMIN)), "roles", false, null, Duration.ofMillis(500), Duration.ofSeconds(5),
        List.of()).validate();
    CibaClient client = new CibaClient(properties, CibaClient.httpClient(properties), new Guard(Dependency.CIBA, RESILIENCE));
    AtomicReference<Approvals> approvalsRef = new AtomicReference<>();
    PollTimer timer = (delay, task) -> {
      synchronized (armed) {
        delays.add(delay);
        armed.add(task);
      }
    };
    channel = new CibaApprovalChannel(properties, client,
        new CibaTokenVerifier(properties, client::endpoints, new RestTemplate()), approvalsRef::get, timer,
        Runnable::run, Clock.systemUTC(), outcomes::add, List.of());
    approvals = new Approvals(new ApprovalStore(new JdbcTemplate(db)), audit,
        new TransactionTemplate(new DataSourceTransactionManager(db)), new ApprovalWaiters(), event -> { },
        List.of(channel), Clock.systemUTC(), new SimpleMeterRegistry());
    approvalsRef.set(approvals);
    gateway = new ToolCallGateway(new ToolCatalog(List.of(tools)), ToolCallGatewayTests.POLICY, audit, approvals,
        List.of(tools), new SimpleMeterRegistry(), ObservationRegistry.NOOP);
  }

  static Stream<Arguments> backchannelFailures() {
    return Stream.of(
        Arguments.of("connection refused", null, "could not be reached", null),
        Arguments.of("slow", okJson("{\"auth_req_id\":\"late\",\"expires_in\":300}").withFixedDelay(2_000),
            "did not answer within 500 ms", null),
        Arguments.of("500", aResponse().withStatus(500), "answered HTTP 500", null),
        Arguments.of("429 with Retry-After", aResponse().withStatus(429).withHeader("Retry-After", "120"),
            "HTTP 429", "120"));
  }

  @ParameterizedTest(name = "backchannel endpoint {0}")
  @MethodSource("backchannelFailures")
  void mergeWhenTheApprovalRequestCannotBeSentThenWithdrawnNamingTheCibaProviderAndNothingRuns(String mode,
      ResponseDefinitionBuilder answer, String says, String retryAfter) throws IOException {
    if (answer == null) {
      engine("http://127.0.0.1:" + closedPort() + "/");
    } else {
      engine(issuer);
      backchannelSays(answer);
    }

    CallOutcome.Pending pending = (CallOutcome.Pending) gateway.execute(GatewayHarness.call("merge_change", MERGE, ALICE));

    ApprovalRequest request = approvals.await(pending.approvalId(), Duration.ofSeconds(5));
    assertThat(request.state()).as("the caller hears now, not at expiry").isEqualTo(ApprovalState.CANCELLED);
    assertThat(request.reason()).as("the reason names the CIBA provider and what it answered")
        .startsWith("dependency_unavailable: CIBA provider unavailable: ").contains(says).doesNotContain("test-secret");
    assertThat(request.votes()).isEmpty();
    assertThat(tools.executions).as("nothing ran").hasValue(0);
    assertThat(outcomes).singleElement().satisfies(o -> {
      assertThat(o.kind()).isEqualTo(Kind.NOT_SENT);
      assertThat(o.detail()).startsWith("CIBA provider unavailable: ").contains(says).doesNotContain("test-secret");
      if (retryAfter != null) {
        assertThat(o.detail()).contains("retry after " + retryAfter + " s");
      }
    });
    assertThat(armed).as("nothing to poll").isEmpty();
    assertThat(audit.entries()).filteredOn(e -> e.event().equals("approval.cancelled")).singleElement()
        .satisfies(e -> assertThat(e.reason()).isEqualTo(request.reason()));
    if (answer != null) {
      // the stub journals a delayed request once it has answered it
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
          provider.findAll(postRequestedFor(urlPathEqualTo("/bc-authorize")))).isNotEmpty());
      assertThat(provider.findAll(postRequestedFor(urlPathEqualTo("/bc-authorize"))))
          .as("a push to a person's device is not repeated blindly").hasSize(1);
    }
  }

  @Test
  void pollsThatFailAreNeverADecisionBackOffAndThePendingRequestCompletesWhenTheProviderIsBack() {
    engine(issuer);
    String id = ((CallOutcome.Pending) gateway.execute(GatewayHarness.call("merge_change", MERGE, ALICE))).approvalId();

    tokenSays(aResponse().withStatus(503).withBody("<html>maintenance</html>"));
    fire();
    assertStillPending(id);
    assertThat(provider.findAll(postRequestedFor(urlPathEqualTo("/token")))).as("retried with backoff").hasSize(3);
    tokenSays(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
    fire();
    assertStillPending(id);
    tokenSays(okJson("{\"error\":\"authorization_pending\"}").withStatus(400).withFixedDelay(2_000));
    fire();
    assertStillPending(id);
    tokenSays(aResponse().withStatus(429).withHeader("Retry-After", "30"));
    fire();
    assertStillPending(id);
    assertThat(delays).as("5 s interval, doubled per failed poll, 429 = slow down")
        .containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(40),
            Duration.ofSeconds(30));
    assertThat(outcomes).as("no final answer from failures").isEmpty();

    tokenSays(okJson(tokens()));
    fire();

    assertThat(approvals.get(id).state()).isIn(ApprovalState.APPROVED, ApprovalState.EXECUTING, ApprovalState.EXECUTED);
    assertThat(outcomes).extracting(CibaOutcome::kind).containsExactly(Kind.APPROVED);
  }

  @Test
  void whenTheCircuitIsOpenPollsDoNotReachTheProviderNewRequestsAreRefusedAndBothRecover() {
    engine(issuer);
    String id = ((CallOutcome.Pending) gateway.execute(GatewayHarness.call("merge_change", MERGE, ALICE))).approvalId();
    tokenSays(aResponse().withStatus(502));
    for (int i = 0; i < 5; i++) {
      fire(); // with the backchannel request: 5 failures of the last 6 calls open it
    }
    assertThat(channel.guard().state()).isEqualTo(CircuitBreaker.State.OPEN);
    provider.resetRequests();

    fire();
    assertThat(provider.findAll(postRequestedFor(urlPathEqualTo("/token")))).as("circuit open").isEmpty();
    assertStillPending(id);
    assertThat(delays.getLast()).as("backoff is bounded").isEqualTo(Duration.ofSeconds(60));

    int stored = approvals.pending(100).size();
    GatewayException refused = catchThrowableOfType(GatewayException.class,
        () -> gateway.execute(GatewayHarness.call("merge_change", "{\"repo\":\"acme/api\",\"number\":7}", ALICE)));
    assertThat(refused.code()).isEqualTo(ErrorCode.DEPENDENCY_UNAVAILABLE);
    assertThat(refused.getMessage()).startsWith("CIBA provider unavailable: ").contains("circuit open")
        .contains("nothing was executed");
    assertThat(refused.details()).containsEntry("dependency", "ciba").containsKey("retry_after_seconds");
    assertThat(approvals.pending(100)).as("nothing stored").hasSize(stored);
    assertThat(audit.entries().getLast()).as("the refusal is audited after the decision")
        .satisfies(e -> assertThat(e.event()).isEqualTo("call.failed"))
        .satisfies(e -> assertThat(e.reason()).isEqualTo("dependency_unavailable"));
    assertThat(provider.findAll(postRequestedFor(urlPathEqualTo("/bc-authorize")))).isEmpty();
    assertThat(tools.executions).hasValue(0);

    Health health = new DependencyHealth().cibaHealthIndicator(properties, channel).health();
    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
    assertThat(health.getDetails()).containsEntry("circuit", "OPEN");

    // back: after open-for, one trial poll goes through and the request completes
    tokenSays(okJson(tokens()));
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      fire();
      assertThat(outcomes).extracting(CibaOutcome::kind).containsExactly(Kind.APPROVED);
    });
    assertThat(channel.guard().state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(gateway.execute(GatewayHarness.call("merge_change", "{\"repo\":\"acme/api\",\"number\":8}", ALICE)))
        .as("new requests are taken again").isInstanceOf(CallOutcome.Pending.class);
  }

  private void assertStillPending(String id) {
    ApprovalRequest request = approvals.get(id);
    assertThat(request.state()).isEqualTo(ApprovalState.PENDING);
    assertThat(request.votes()).isEmpty();
    assertThat(tools.executions).hasValue(0);
    assertThat(armed).as("the next poll is armed").hasSize(1);
  }

  private void fire() {
    Runnable next;
    synchronized (armed) {
      next = armed.poll();
    }
    assertThat(next).as("a poll is armed").isNotNull();
    next.run();
  }

  private void backchannelSays(ResponseDefinitionBuilder answer) {
    provider.stubFor(post(urlPathEqualTo("/bc-authorize")).willReturn(answer));
  }

  private void tokenSays(ResponseDefinitionBuilder answer) {
    provider.stubFor(post(urlPathEqualTo("/token")).willReturn(answer));
  }

  private String tokens() {
    Instant now = Instant.now();
    JWTClaimsSet id = new JWTClaimsSet.Builder().issuer(issuer).subject(ADMIN).audience(CLIENT_ID)
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)))
        .claim("auth_time", now.getEpochSecond()).build();
    JWTClaimsSet access = new JWTClaimsSet.Builder().issuer(issuer).subject(ADMIN).audience("https://api.example/")
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)))
        .claim("roles", List.of("approver")).build();
    return "{\"access_token\":\"" + sign(access) + "\",\"id_token\":\"" + sign(id)
        + "\",\"expires_in\":300,\"token_type\":\"Bearer\"}";
  }

  private String sign(JWTClaimsSet claims) {
    return TestTokens.sign(key, claims);
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
