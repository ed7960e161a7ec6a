package dev.authoraization.tool.github;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.authoraization.tool.github.GitHubTestSupport.TOKEN;
import static dev.authoraization.tool.github.GitHubTestSupport.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class GitHubErrorMappingTests {

  @RegisterExtension
  static WireMockExtension github = GitHubTestSupport.stub();

  private GatewayException failure(ResponseDefinitionBuilder answer) {
    github.stubFor(get(urlPathEqualTo("/repos/demo/webapp/issues/1")).willReturn(answer));
    GatewayException e = catchThrowableOfType(GatewayException.class, () -> new GitHubToolProvider(GitHubTestSupport.client(github))
        .execute(call("get_issue", "{\"owner\": \"demo\", \"repo\": \"webapp\", \"issue_number\": 1}"),
            GitHubTestSupport.installationToken()));
    assertThat(e).as("GitHub's error becomes a GatewayException").isNotNull();
    assertThat(e.getMessage()).doesNotContain(TOKEN).doesNotContainIgnoringCase("authorization").doesNotContain("Bearer");
    assertThat(e.details().values()).noneMatch(value -> value.contains(TOKEN));
    return e;
  }

  private static ResponseDefinitionBuilder status(int status, String body) {
    return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
  }

  @Test
  void unauthorizedMeansTheCredentialWasRejected() {
    GatewayException e = failure(status(401, "{\"message\": \"Bad credentials\"}"));
    assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_UNAVAILABLE);
    assertThat(e.getMessage()).startsWith("GitHub rejected the credential");
  }

  @Test
  void notFoundSaysTheCredentialMayNotSeeIt() {
    GatewayException e = failure(status(404, "{\"message\": \"Not Found\"}"));
    assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(e.getMessage()).isEqualTo("Repository or pull request not found, or the credential cannot see it.");
  }

  @Test
  void unprocessableSummarizesGitHubsErrors() {
    GatewayException e = failure(status(422, """
        {"message": "Validation Failed", "errors": [{"resource": "Label", "code": "invalid", "field": "color"},
         {"message": "body is too long"}]}"""));
    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENTS);
    assertThat(e.getMessage()).contains("Validation Failed").contains("Label.color invalid").contains("body is too long");
  }

  @Test
  void forbiddenWithNoRateLimitLeftNamesTheResetTime() {
    long reset = Instant.parse("2026-11-29T06:00:00Z").getEpochSecond();
    GatewayException e = failure(status(403, "{\"message\": \"API rate limit exceeded\"}")
        .withHeader("x-ratelimit-remaining", "0").withHeader("x-ratelimit-reset", Long.toString(reset)));
    assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
    assertThat(e.getMessage()).contains("2026-11-29T06:00:00Z");
  }

  @Test
  void tooManyRequestsWithRetryAfterSaysWhenToRetry() {
    GatewayException e = failure(status(429, "{\"message\": \"You have exceeded a secondary rate limit\"}")
        .withHeader("retry-after", "60"));
    assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
    assertThat(e.details()).containsEntry("retry_after_seconds", "60");
  }

  @Test
  void forbiddenWithRateLimitLeftIsARefusalNotARateLimit() {
    GatewayException e = failure(status(403, "{\"message\": \"Resource not accessible by integration\"}")
        .withHeader("x-ratelimit-remaining", "4999"));
    assertThat(e.code()).isEqualTo(ErrorCode.DENIED);
    assertThat(e.getMessage()).contains("Resource not accessible by integration");
  }

  @Test
  void serverErrorIsAnOutageNamingGitHub() {
    GatewayException e = failure(status(502, "{\"message\": \"Server Error\"}"));
    assertThat(e.code()).isEqualTo(ErrorCode.DEPENDENCY_UNAVAILABLE);
    assertThat(e.getMessage()).startsWith("github unavailable: ").contains("HTTP 502").contains("after 3 attempts");
  }

  @Test
  void readsAreRetriedWhenGitHubIsBrieflyDown() {
    github.stubFor(get(urlPathEqualTo("/repos/demo/webapp/issues/1")).inScenario("flaky").whenScenarioStateIs(STARTED)
        .willReturn(status(502, "{\"message\": \"Server Error\"}")).willSetStateTo("second"));
    github.stubFor(get(urlPathEqualTo("/repos/demo/webapp/issues/1")).inScenario("flaky").whenScenarioStateIs("second")
        .willReturn(status(503, "{\"message\": \"Unavailable\"}")).willSetStateTo("up"));
    github.stubFor(get(urlPathEqualTo("/repos/demo/webapp/issues/1")).inScenario("flaky").whenScenarioStateIs("up")
        .willReturn(status(200, "{\"number\": 1, \"title\": \"Bug\", \"state\": \"open\", \"labels\": [], "
            + "\"user\": {\"login\": \"bob\"}, \"html_url\": \"https://github.com/demo/webapp/issues/1\"}")));

    var result = new GitHubToolProvider(GitHubTestSupport.client(github))
        .execute(call("get_issue", "{\"owner\": \"demo\", \"repo\": \"webapp\", \"issue_number\": 1}"),
            GitHubTestSupport.installationToken());

    assertThat(result.content().path("number").asInt()).isEqualTo(1);
    github.verify(3, getRequestedFor(urlPathEqualTo("/repos/demo/webapp/issues/1")));
  }

  @Test
  void aMergeIsNeverRetriedBlindly() {
    github.stubFor(com.github.tomakehurst.wiremock.client.WireMock.put(urlPathEqualTo("/repos/demo/webapp/pulls/2/merge"))
        .willReturn(status(502, "{\"message\": \"Server Error\"}")));

    GatewayException e = catchThrowableOfType(GatewayException.class, () -> GitHubTestSupport.client(github)
        .put("/repos/demo/webapp/pulls/2/merge", GitHubTestSupport.client(github).json().createObjectNode(), TOKEN));

    assertThat(e.code()).isEqualTo(ErrorCode.DEPENDENCY_UNAVAILABLE);
    assertThat(e.getMessage()).doesNotContain("attempts");
    github.verify(1, putRequestedFor(urlPathEqualTo("/repos/demo/webapp/pulls/2/merge")));
  }

  @Test
  void unreachableGitHubIsAnOutageWithinTheTimeout() {
    // Port 9 (discard) on localhost is closed here: the connection is refused at once.
    GitHubProperties properties = new GitHubProperties(URI.create("http://127.0.0.1:9"), Duration.ofSeconds(2),
        Duration.ofSeconds(2), null, null, null);
    GatewayException e = catchThrowableOfType(GatewayException.class,
        () -> new GitHubClient(properties).get("/rate_limit", Map.of(), TOKEN));
    assertThat(e.code()).isEqualTo(ErrorCode.DEPENDENCY_UNAVAILABLE);
    assertThat(e.getMessage()).contains("GitHub could not be reached").doesNotContain(TOKEN);
  }
}
