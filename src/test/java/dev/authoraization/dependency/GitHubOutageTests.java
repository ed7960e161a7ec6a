package dev.authoraization.dependency;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.tool.github.GitHubClient;
import dev.authoraization.tool.github.GitHubProperties;
import dev.authoraization.tool.github.GitHubTestSupport;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * GitHub down, slow, answering 5xx or rate-limited, against a WireMock stand-in: which failures
 * are retried (reads only, transient only), what the caller is told, and that the circuit opens
 * and closes again by itself when GitHub returns.
 */
class GitHubOutageTests {

  @RegisterExtension
  static WireMockExtension github = GitHubTestSupport.stub();

  /** Fast settings so the table runs in seconds: 3 attempts, 10 ms backoff, 4 calls open the circuit for 300 ms. */
  private static final ResilienceProperties FAST = new ResilienceProperties(3, Duration.ofMillis(10), 2.0, 0.5,
      Duration.ofSeconds(2), 50, 4, 4, Duration.ofMillis(300));
  private static final Duration REQUEST_TIMEOUT = Duration.ofMillis(1500);

  private GitHubClient client;

  @BeforeEach
  void setUp() {
    client = new GitHubClient(new GitHubProperties(URI.create(github.baseUrl()), Duration.ofSeconds(1), REQUEST_TIMEOUT,
        null, null, null), new Guard(Dependency.GITHUB, FAST));
  }

  /**
   * @param mode what GitHub does
   * @param code what the caller gets
   * @param readAttempts requests a read makes (writes always make one)
   * @param says a part of the message
   * @param retryAfter the {@code retry_after_seconds} detail, or null when GitHub named no time
   */
  record Case(String mode, ResponseDefinitionBuilder answer, ErrorCode code, int readAttempts, String says,
      String retryAfter) {
    @Override
    public String toString() {
      return mode;
    }
  }

  static Stream<Arguments> failures() {
    long reset = Instant.now().plusSeconds(600).getEpochSecond();
    return Stream.of(
        new Case("slow (beyond the request timeout)", okJson("[]").withFixedDelay(3_000),
            ErrorCode.DEPENDENCY_UNAVAILABLE, 3, "did not answer within 1500 ms", null),
        new Case("500", json(500, "{\"message\": \"Server Error\"}"),
            ErrorCode.DEPENDENCY_UNAVAILABLE, 3, "answered HTTP 500", null),
        new Case("503 with a long Retry-After", json(503, "{\"message\": \"Unavailable\"}").withHeader("Retry-After", "120"),
            ErrorCode.DEPENDENCY_UNAVAILABLE, 1, "answered HTTP 503", "120"),
        new Case("429 secondary rate limit", json(429, "{\"message\": \"secondary rate limit\"}").withHeader("retry-after", "60"),
            ErrorCode.RATE_LIMITED, 1, "secondary rate limit", "60"),
        new Case("403 with x-ratelimit-remaining: 0", json(403, "{\"message\": \"API rate limit exceeded\"}")
            .withHeader("x-ratelimit-remaining", "0").withHeader("x-ratelimit-reset", Long.toString(reset)),
            ErrorCode.RATE_LIMITED, 1, "resets at " + Instant.ofEpochSecond(reset), null))
        .map(Arguments::of);
  }

  private static ResponseDefinitionBuilder json(int status, String body) {
    return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
  }

  @ParameterizedTest(name = "read when GitHub is {0}")
  @MethodSource("failures")
  void readWhenGitHubFailsThenBoundedRetriesAndAClearError(Case failure) {
    github.stubFor(any(anyUrl()).willReturn(failure.answer()));

    GatewayException e = catchThrowableOfType(GatewayException.class,
        () -> client.get("/repos/demo/webapp/issues", Map.of(), GitHubTestSupport.TOKEN));

    assertThat(e.code()).isEqualTo(failure.code());
    assertThat(e.getMessage()).contains(failure.says()).doesNotContain(GitHubTestSupport.TOKEN).doesNotContain("Exception:");
    if (failure.code() == ErrorCode.DEPENDENCY_UNAVAILABLE) {
      assertThat(e.getMessage()).startsWith("github unavailable: ");
      assertThat(e.details()).containsEntry("dependency", "github");
    }
    if (failure.retryAfter() != null) {
      assertThat(e.details()).containsEntry("retry_after_seconds", failure.retryAfter());
    }
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> github.verify(failure.readAttempts(), anyRequestedFor(anyUrl())));
  }

  @ParameterizedTest(name = "merge when GitHub is {0}")
  @MethodSource("failures")
  void mergeWhenGitHubFailsThenTriedOnceNeverBlindlyRepeated(Case failure) {
    github.stubFor(any(anyUrl()).willReturn(failure.answer()));

    GatewayException e = catchThrowableOfType(GatewayException.class, () -> client.put(
        "/repos/demo/webapp/pulls/2/merge", client.json().createObjectNode().put("sha", GitHubTestSupport.SHA_A),
        GitHubTestSupport.TOKEN));

    assertThat(e.code()).isEqualTo(failure.code());
    assertThat(e.getMessage()).doesNotContain("attempts");
    // WireMock journals a request when its (delayed) answer is done
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> github.verify(1, anyRequestedFor(anyUrl())));
  }

  @Test
  void whenGitHubKeepsFailingThenTheCircuitOpensAndRecoversByItselfWhenGitHubReturns() {
    github.stubFor(any(anyUrl()).willReturn(json(502, "{\"message\": \"Bad Gateway\"}")));
    Function<Void, GatewayException> read = unused -> catchThrowableOfType(GatewayException.class,
        () -> client.get("/repos/demo/webapp/issues", Map.of(), GitHubTestSupport.TOKEN));
    for (int i = 0; i < FAST.minimumCalls(); i++) {
      read.apply(null);
    }
    assertThat(client.guard().state()).isEqualTo(CircuitBreaker.State.OPEN);
    int sent = github.getAllServeEvents().size();

    GatewayException refused = read.apply(null);

    assertThat(refused.code()).isEqualTo(ErrorCode.DEPENDENCY_UNAVAILABLE);
    assertThat(refused.getMessage()).startsWith("github unavailable: ").contains("circuit open").contains("Retry after");
    assertThat(refused.details()).containsKey("retry_after_seconds");
    assertThat(github.getAllServeEvents()).as("an open circuit does not call GitHub").hasSize(sent);

    github.resetAll();
    github.stubFor(any(anyUrl()).willReturn(okJson("[{\"number\": 1}]")));
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).ignoreException(GatewayException.class)
        .untilAsserted(() ->
        assertThat(client.get("/repos/demo/webapp/issues", Map.of(), GitHubTestSupport.TOKEN).body().get(0)
            .path("number").asInt()).isEqualTo(1));
    assertThat(client.guard().state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void whenGitHubIsDownThenTheCallerHearsItNamedAndNothingHangs() {
    // a port nobody listens on: connection refused, as when GitHub or the network is down
    GitHubClient down = new GitHubClient(new GitHubProperties(URI.create("http://127.0.0.1:9"), Duration.ofSeconds(1),
        REQUEST_TIMEOUT, null, null, null), new Guard(Dependency.GITHUB, FAST));

    GatewayException read = catchThrowableOfType(GatewayException.class,
        () -> down.get("/repos/demo/webapp/issues", Map.of(), GitHubTestSupport.TOKEN));
    GatewayException merge = catchThrowableOfType(GatewayException.class, () -> down.put(
        "/repos/demo/webapp/pulls/2/merge", down.json().createObjectNode(), GitHubTestSupport.TOKEN));

    assertThat(read.code()).isEqualTo(ErrorCode.DEPENDENCY_UNAVAILABLE);
    assertThat(read.getMessage()).startsWith("github unavailable: GitHub could not be reached at 127.0.0.1")
        .contains("after 3 attempts").endsWith("retry later.");
    assertThat(merge.code()).isEqualTo(ErrorCode.DEPENDENCY_UNAVAILABLE);
    assertThat(merge.getMessage()).doesNotContain("attempts");
    assertThat(down.guard().metrics().getNumberOfFailedCalls()).isEqualTo(2);
  }

  @Test
  void aShortRetryAfterIsWaitedForBeforeTheNextAttempt() {
    github.stubFor(any(anyUrl()).inScenario("busy").whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
        .willReturn(json(503, "{}").withHeader("Retry-After", "1")).willSetStateTo("up"));
    github.stubFor(any(anyUrl()).inScenario("busy").whenScenarioStateIs("up").willReturn(okJson("[]")));
    long started = System.nanoTime();

    client.get("/repos/demo/webapp/issues", Map.of(), GitHubTestSupport.TOKEN);

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    github.verify(2, anyRequestedFor(anyUrl()));
  }
}
