package dev.authoraization.tool.github;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.authoraization.tool.github.GitHubTestSupport.SHA_A;
import static dev.authoraization.tool.github.GitHubTestSupport.SHA_B;
import static dev.authoraization.tool.github.GitHubTestSupport.TOKEN;
import static dev.authoraization.tool.github.GitHubTestSupport.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.tool.Risk;
import dev.authoraization.tool.ToolDescriptor;
import java.util.Base64;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

class GitHubToolProviderTests {

  @RegisterExtension
  static WireMockExtension github = GitHubTestSupport.stub();

  private GitHubToolProvider provider() {
    return new GitHubToolProvider(GitHubTestSupport.client(github));
  }

  private static String pull(String sha) {
    return """
        {"number": 7, "title": "Fix login", "state": "open", "merged": false, "user": {"login": "bob"},
         "base": {"ref": "main", "sha": "%s"}, "head": {"ref": "fix-login", "sha": "%s"},
         "mergeable": true, "mergeable_state": "clean", "changed_files": 2, "additions": 10, "deletions": 3,
         "html_url": "https://github.com/demo/webapp/pull/7"}""".formatted(SHA_B, sha);
  }

  @Test
  void toolsDeclareTheExactGitHubAppPermissionsTheyNeed() {
    Map<String, ToolDescriptor> tools = provider().tools().stream()
        .collect(Collectors.toMap(ToolDescriptor::name, Function.identity()));

    assertThat(tools.get("list_issues").credential().permissions()).isEqualTo(Map.of("issues", "read"));
    assertThat(tools.get("get_issue").credential().permissions()).isEqualTo(Map.of("issues", "read"));
    assertThat(tools.get("list_pull_requests").credential().permissions())
        .isEqualTo(Map.of("pull_requests", "read", "statuses", "read"));
    assertThat(tools.get("get_pull_request").credential().permissions()).isEqualTo(Map.of("pull_requests", "read"));
    assertThat(tools.get("get_file_contents").credential().permissions()).isEqualTo(Map.of("contents", "read"));
    assertThat(tools.get("list_repositories").credential().permissions()).isEqualTo(Map.of("metadata", "read"));
    assertThat(tools.get("comment_on_issue").credential().permissions()).isEqualTo(Map.of("issues", "write"));
    assertThat(tools.get("merge_pull_request").credential().permissions())
        .isEqualTo(Map.of("contents", "write", "pull_requests", "read"));
    assertThat(tools.get("merge_pull_request").risk()).isEqualTo(Risk.DESTRUCTIVE);
    assertThat(tools.get("comment_on_issue").risk()).isEqualTo(Risk.WRITE);
    assertThat(tools.values()).allSatisfy(tool -> {
      assertThat(tool.credential().kind()).isEqualTo("github");
      assertThat(tool.inputSchema().path("additionalProperties").asBoolean(true)).isFalse();
    });
  }

  @Test
  void listIssuesWhenSeveralPagesThenFollowsLinksAndLeavesOutPullRequests() {
    String page2 = github.baseUrl() + "/repositories/1/issues?page=2";
    github.stubFor(get(urlPathEqualTo("/repos/demo/webapp/issues"))
        .withQueryParam("state", equalTo("open")).withQueryParam("labels", equalTo("bug"))
        .withQueryParam("per_page", equalTo("2"))
        .willReturn(okJson("""
            [{"number": 3, "title": "Crash on save", "state": "open", "labels": [{"name": "bug"}],
              "user": {"login": "carol"}, "html_url": "https://github.com/demo/webapp/issues/3"},
             {"number": 2, "title": "A pull request", "state": "open", "labels": [], "user": {"login": "bob"},
              "pull_request": {"url": "https://api.github.com/repos/demo/webapp/pulls/2"}}]""")
            .withHeader("Link", "<" + page2 + ">; rel=\"next\", <" + page2 + ">; rel=\"last\"")));
    github.stubFor(get(urlEqualTo("/repositories/1/issues?page=2")).willReturn(okJson("""
        [{"number": 1, "title": "Typo", "state": "open", "labels": [{"name": "bug"}], "user": {"login": "dave"},
          "html_url": "https://github.com/demo/webapp/issues/1"}]""")));

    JsonNode result = provider().execute(call("list_issues",
        """
        {"owner": "demo", "repo": "webapp", "labels": "bug", "per_page": 2}"""),
        GitHubTestSupport.installationToken()).content();

    assertThat(result.path("issues").values()).extracting(issue -> issue.path("number").asInt()).containsExactly(3, 1);
    assertThat(result.path("issues").get(0).path("labels").get(0).asString()).isEqualTo("bug");
    assertThat(result.path("issues").get(0).path("author").asString()).isEqualTo("carol");
    assertThat(result.path("truncated").asBoolean()).isFalse();
  }

  @Test
  void listIssuesWhenMoreThanMaxResultsThenStopsAndSaysTruncated() {
    github.stubFor(get(urlPathEqualTo("/repos/demo/webapp/issues")).willReturn(okJson("""
        [{"number": 3, "title": "a"}, {"number": 2, "title": "b"}, {"number": 1, "title": "c"}]""")
        .withHeader("Link", "<" + github.baseUrl() + "/repositories/1/issues?page=2>; rel=\"next\"")));

    JsonNode result = provider().execute(call("list_issues", """
        {"owner": "demo", "repo": "webapp", "max_results": 2}"""), GitHubTestSupport.installationToken()).content();

    assertThat(result.path("count").asInt()).isEqualTo(2);
    assertThat(result.path("truncated").asBoolean()).isTrue();
    github.verify(0, getRequestedFor(urlPathEqualTo("/repositories/1/issues")));
  }

  @Test
  void everyRequestCarriesGitHubsHeadersAndTheBearerToken() {
    github.stubFor(get(urlPathEqualTo("/repos/demo/webapp/issues/5")).willReturn(okJson("""
        {"number": 5, "title": "t", "state": "open", "body": "b", "comments": 0}""")));

    provider().execute(call("get_issue", """
        {"owner": "demo", "repo": "webapp", "issue_number": 5}"""), GitHubTestSupport.installationToken());

    github.verify(getRequestedFor(urlPathEqualTo("/repos/demo/webapp/issues/5"))
        .withHeader("Accept", equalTo("application/vnd.github+json"))
        .withHeader("X-GitHub-Api-Version", equalTo("2022-11-28"))
        .withHeader("Authorization", equalTo("Bearer " + TOKEN))
        .withHeader("User-Agent", equalTo("AuthorAIzation-Engine")));
  }

  private static String pullItem(int number, String sha) {
    return """
        {"number": %d, "title": "PR %d", "state": "open", "draft": false, "user": {"login": "bob"},
         "base": {"ref": "main", "sha": "%s"}, "head": {"ref": "branch-%d", "sha": "%s"},
         "html_url": "https://github.com/demo/webapp/pull/%d"}""".formatted(number, number, SHA_B, number, sha, number);
  }

  @Test
  void listPullRequestsCarriesEachHeadsCombinedStatusAsChecks() {
    String other = "c".repeat(40);
    github.stubFor(get(urlPathEqualTo("/repos/demo/webapp/pulls"))
        .willReturn(okJson("[" + pullItem(7, SHA_A) + "," + pullItem(8, other) + "]")));
    github.stubFor(get(urlPathEqualTo("/repos/demo/webapp/commits/" + SHA_A + "/status")).willReturn(okJson("""
        {"state": "failure", "sha": "%s", "total_count": 2, "statuses": [
          {"context": "ci/tests", "state": "failure", "description": "2 of 14 tests failed"},
          {"context": "ci/lint", "state": "success", "description": null}]}""".formatted(SHA_A))));
    github.stubFor(get(urlPathEqualTo("/repos/demo/webapp/commits/" + other + "/status")).willReturn(okJson("""
        {"state": "pending", "sha": "%s", "total_count": 0, "statuses": []}""".formatted(other))));

    JsonNode result = provider().execute(call("list_pull_requests", "{\"owner\":\"demo\",\"repo\":\"webapp\"}"),
        GitHubTestSupport.installationToken()).content();

    JsonNode failing = result.path("pull_requests").get(0).path("checks");
    assertThat(failing.path("state").asString()).isEqualTo("failure");
    assertThat(failing.path("total").asInt()).isEqualTo(2);
    assertThat(failing.path("summary").asString()).isEqualTo("1 of 2 passed");
    assertThat(failing.path("contexts").get(0).path("context").asString()).isEqualTo("ci/tests");
    assertThat(failing.path("contexts").get(0).path("description").asString()).isEqualTo("2 of 14 tests failed");
    // GitHub says "pending" when nothing reported at all; the tool says so plainly
    assertThat(result.path("pull_requests").get(1).path("checks").path("state").asString()).isEqualTo("none");
    github.verify(getRequestedFor(urlPathEqualTo("/repos/demo/webapp/commits/" + SHA_A + "/status"))
        .withHeader("Authorization", equalTo("Bearer " + TOKEN)));
  }

  @Test
  void listPullRequestsWhenTheStatusCannotBeReadThenChecksAreUnavailableAndTheListStands() {
    github.stubFor(get(urlPathEqualTo("/repos/demo/webapp/pulls")).willReturn(okJson("[" + pullItem(7, SHA_A) + "]")));
    github.stubFor(get(urlPathEqualTo("/repos/demo/webapp/commits/" + SHA_A + "/status")).willReturn(aResponse()
        .withStatus(403).withHeader("Content-Type", "application/json")
        .withBody("{\"message\": \"Resource not accessible by integration\"}")));

    JsonNode result = provider().execute(call("list_pull_requests", "{\"owner\":\"demo\",\"repo\":\"webapp\"}"),
        GitHubTestSupport.installationToken()).content();

    assertThat(result.path("count").asInt()).isEqualTo(1);
    assertThat(result.path("pull_requests").get(0).path("checks").path("state").asString()).isEqualTo("unavailable");
    assertThat(result.path("pull_requests").get(0).path("checks").path("summary").asString())
        .startsWith("GitHub did not return the checks").doesNotContain(TOKEN);
  }

  @Test
  void listPullRequestsReadsChecksForAtMostThirtyPullRequests() {
    StringBuilder items = new StringBuilder("[");
    for (int n = 1; n <= GitHubToolProvider.MAX_CHECKED_PULLS + 2; n++) {
      items.append(n > 1 ? "," : "").append(pullItem(n, SHA_A));
    }
    github.stubFor(get(urlPathEqualTo("/repos/demo/webapp/pulls")).willReturn(okJson(items + "]")));
    github.stubFor(get(urlPathEqualTo("/repos/demo/webapp/commits/" + SHA_A + "/status")).willReturn(okJson("""
        {"state": "success", "total_count": 1, "statuses": [{"context": "ci", "state": "success"}]}""")));

    JsonNode pulls = provider().execute(call("list_pull_requests", "{\"owner\":\"demo\",\"repo\":\"webapp\"}"),
        GitHubTestSupport.installationToken()).content().path("pull_requests");

    assertThat(pulls.get(GitHubToolProvider.MAX_CHECKED_PULLS - 1).path("checks").path("state").asString()).isEqualTo("success");
    assertThat(pulls.get(GitHubToolProvider.MAX_CHECKED_PULLS).path("checks").path("state").asString()).isEqualTo("not_read");
    github.verify(GitHubToolProvider.MAX_CHECKED_PULLS,
        getRequestedFor(urlPathEqualTo("/repos/demo/webapp/commits/" + SHA_A + "/status")));
  }

  @Test
  void getPullRequestReturnsWhatAReviewerDecidesOn() {
    github.stubFor(get(urlPathEqualTo("/repos/demo/webapp/pulls/7")).willReturn(okJson(pull(SHA_A))));

    JsonNode result = provider().execute(call("get_pull_request", """
        {"owner": "demo", "repo": "webapp", "pull_number": 7}"""), GitHubTestSupport.installationToken()).content();

    assertThat(result.path("head_sha").asString()).isEqualTo(SHA_A);
    assertThat(result.path("base_ref").asString()).isEqualTo("main");
    assertThat(result.path("head_ref").asString()).isEqualTo("fix-login");
    assertThat(result.path("mergeable").asBoolean()).isTrue();
    assertThat(result.path("mergeable_state").asString()).isEqualTo("clean");
    assertThat(result.path("changed_files").asInt()).isEqualTo(2);
    assertThat(result.path("author").asString()).isEqualTo("bob");
  }

  @Test
  void getFileContentsDecodesAFileAndListsADirectory() {
    String encoded = Base64.getMimeEncoder().encodeToString("# Web app\nläuft\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    github.stubFor(get(urlPathEqualTo("/repos/demo/webapp/contents/docs/READ%20ME.md")).withQueryParam("ref", equalTo("dev"))
        .willReturn(okJson("""
            {"type": "file", "encoding": "base64", "size": 17, "name": "READ ME.md", "path": "docs/READ ME.md",
             "sha": "3d21ec53a331a6f037a91c368710b99387d012c1", "content": "%s"}""".formatted(encoded.replace("\r\n", "\\n")))));
    github.stubFor(get(urlPathEqualTo("/repos/demo/webapp/contents/")).willReturn(okJson("""
        [{"type": "dir", "name": "docs", "path": "docs", "size": 0}, {"type": "file", "name": "pom.xml", "path": "pom.xml", "size": 99}]""")));

    JsonNode file = provider().execute(call("get_file_contents", """
        {"owner": "demo", "repo": "webapp", "path": "docs/READ ME.md", "ref": "dev"}"""),
        GitHubTestSupport.installationToken()).content();
    JsonNode root = provider().execute(call("get_file_contents", """
        {"owner": "demo", "repo": "webapp", "path": "/"}"""), GitHubTestSupport.installationToken()).content();

    assertThat(file.path("text").asString()).isEqualTo("# Web app\nläuft\n");
    assertThat(root.path("type").asString()).isEqualTo("dir");
    assertThat(root.path("entries").values()).extracting(e -> e.path("name").asString()).containsExactly("docs", "pom.xml");
  }

  @Test
  void listRepositoriesWithAnInstallationTokenAsksForTheInstallationsRepositories() {
    github.stubFor(get(urlPathEqualTo("/installation/repositories")).willReturn(okJson("""
        {"total_count": 1, "repositories": [{"full_name": "demo/webapp", "private": true, "default_branch": "main"}]}""")));
    github.stubFor(get(urlPathEqualTo("/user/repos")).willReturn(okJson("""
        [{"full_name": "alice/dotfiles", "private": false, "default_branch": "main"}]""")));

    JsonNode viaApp = provider().execute(call("list_repositories", "{}"), GitHubTestSupport.installationToken()).content();
    JsonNode viaPat = provider().execute(call("list_repositories", "{}"), GitHubTestSupport.personalToken()).content();

    assertThat(viaApp.path("repositories").get(0).path("full_name").asString()).isEqualTo("demo/webapp");
    assertThat(viaPat.path("repositories").get(0).path("full_name").asString()).isEqualTo("alice/dotfiles");
    assertThat(provider().resource(call("list_repositories", "{}"))).isEqualTo("*");
  }

  @Test
  void commentOnIssuePostsTheBody() {
    github.stubFor(post(urlPathEqualTo("/repos/demo/webapp/issues/3/comments"))
        .withRequestBody(equalToJson("{\"body\": \"Looking into it\"}"))
        .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
            .withBody("{\"id\": 11, \"html_url\": \"https://github.com/demo/webapp/issues/3#issuecomment-11\"}")));

    JsonNode result = provider().execute(call("comment_on_issue", """
        {"owner": "demo", "repo": "webapp", "issue_number": 3, "body": "Looking into it"}"""),
        GitHubTestSupport.installationToken()).content();

    assertThat(result.path("id").asLong()).isEqualTo(11);
  }

  @Test
  void preconditionsOfAMergeAreThePullRequestsHeadSha() {
    github.stubFor(get(urlPathEqualTo("/repos/demo/webapp/pulls/7")).willReturn(okJson(pull(SHA_A))));

    Map<String, String> preconditions = provider().preconditions(call("merge_pull_request", """
        {"owner": "demo", "repo": "webapp", "pull_number": 7}"""), GitHubTestSupport.installationToken());

    assertThat(preconditions).isEqualTo(Map.of("expected_head_sha", SHA_A));
  }

  @Test
  void contextOfAMergeIsWhatAnApproverNeedsToSeeOfThePullRequest() {
    github.stubFor(get(urlPathEqualTo("/repos/demo/webapp/pulls/7")).willReturn(okJson(pull(SHA_A))));

    Map<String, String> context = provider().context(call("merge_pull_request", """
        {"owner": "demo", "repo": "webapp", "pull_number": 7}"""), GitHubTestSupport.installationToken());

    assertThat(context).isEqualTo(Map.of("title", "Fix login", "author", "bob", "base", "main",
        "head", "fix-login", "changed_files", "2"));
    assertThat(provider().context(call("list_issues", """
        {"owner": "demo", "repo": "webapp"}"""), GitHubTestSupport.installationToken())).isEmpty();
  }

  @Test
  void mergeWhenApprovedHeadIsStillTheHeadThenSendsItAsSha() {
    github.stubFor(get(urlPathEqualTo("/repos/demo/webapp/pulls/7")).willReturn(okJson(pull(SHA_A))));
    github.stubFor(put(urlPathEqualTo("/repos/demo/webapp/pulls/7/merge")).willReturn(okJson("""
        {"sha": "%s", "merged": true, "message": "Pull Request successfully merged"}""".formatted(SHA_B))));

    JsonNode result = provider().execute(call("merge_pull_request", """
        {"owner": "demo", "repo": "webapp", "pull_number": 7, "merge_method": "squash", "expected_head_sha": "%s"}"""
        .formatted(SHA_A)), GitHubTestSupport.installationToken()).content();

    assertThat(result.path("merged").asBoolean()).isTrue();
    github.verify(putRequestedFor(urlPathEqualTo("/repos/demo/webapp/pulls/7/merge"))
        .withRequestBody(equalToJson("{\"merge_method\": \"squash\", \"sha\": \"" + SHA_A + "\"}")));
  }

  @Test
  void mergeWhenHeadMovedAfterApprovalThenRefusedBeforeCallingGitHub() {
    github.stubFor(get(urlPathEqualTo("/repos/demo/webapp/pulls/7")).willReturn(okJson(pull(SHA_B))));

    GatewayException refused = catchThrowableOfType(GatewayException.class, () -> provider().execute(
        call("merge_pull_request", """
            {"owner": "demo", "repo": "webapp", "pull_number": 7, "expected_head_sha": "%s"}""".formatted(SHA_A)),
        GitHubTestSupport.installationToken()));

    assertThat(refused.code()).isEqualTo(ErrorCode.PRECONDITION_FAILED);
    assertThat(refused.getMessage()).isEqualTo("The pull request's head moved from " + SHA_A + " to " + SHA_B
        + " after approval; ask for a new approval.");
    github.verify(0, putRequestedFor(urlPathEqualTo("/repos/demo/webapp/pulls/7/merge")));
  }

  @Test
  void mergeWhenGitHubSeesTheHeadMoveThenPreconditionFailed() {
    github.stubFor(get(urlPathEqualTo("/repos/demo/webapp/pulls/7")).willReturn(okJson(pull(SHA_A))));
    github.stubFor(put(urlPathEqualTo("/repos/demo/webapp/pulls/7/merge")).willReturn(aResponse().withStatus(409)
        .withHeader("Content-Type", "application/json")
        .withBody("{\"message\": \"Head branch was modified. Review and try the merge again.\"}")));

    assertThatThrownBy(() -> provider().execute(call("merge_pull_request", """
        {"owner": "demo", "repo": "webapp", "pull_number": 7, "expected_head_sha": "%s"}""".formatted(SHA_A)),
        GitHubTestSupport.installationToken()))
        .isInstanceOfSatisfying(GatewayException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.PRECONDITION_FAILED);
          assertThat(e.getMessage()).contains(SHA_A).doesNotContain(TOKEN);
        });
  }

  @Test
  void mergeWhenNotMergeableThenNotMergeable() {
    github.stubFor(get(urlPathEqualTo("/repos/demo/webapp/pulls/7")).willReturn(okJson(pull(SHA_A))));
    github.stubFor(put(urlPathEqualTo("/repos/demo/webapp/pulls/7/merge")).willReturn(aResponse().withStatus(405)
        .withHeader("Content-Type", "application/json").withBody("{\"message\": \"Pull Request is not mergeable\"}")));

    assertThatThrownBy(() -> provider().execute(call("merge_pull_request", """
        {"owner": "demo", "repo": "webapp", "pull_number": 7}"""), GitHubTestSupport.installationToken()))
        .isInstanceOfSatisfying(GatewayException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.NOT_MERGEABLE);
          assertThat(e.code().httpStatus()).isEqualTo(409);
        });
  }

  @Test
  void mergeWithoutApprovedShaStillPinsTheHeadItJustRead() {
    github.stubFor(get(urlPathEqualTo("/repos/demo/webapp/pulls/7")).willReturn(okJson(pull(SHA_B))));
    github.stubFor(put(urlPathEqualTo("/repos/demo/webapp/pulls/7/merge")).willReturn(okJson("{\"merged\": true}")));

    provider().execute(call("merge_pull_request", """
        {"owner": "demo", "repo": "webapp", "pull_number": 7, "commit_title": "Fix login (#7)"}"""),
        GitHubTestSupport.installationToken());

    github.verify(putRequestedFor(urlPathEqualTo("/repos/demo/webapp/pulls/7/merge")).withRequestBody(equalToJson(
        "{\"merge_method\": \"merge\", \"commit_title\": \"Fix login (#7)\", \"sha\": \"" + SHA_B + "\"}")));
  }

  @Test
  void resourceIsOwnerSlashRepoAndRejectsNamesGitHubWouldNot() {
    GitHubToolProvider provider = provider();

    assertThat(provider.resource(call("get_issue", """
        {"owner": "demo-org", "repo": "web.app_2", "issue_number": 1}"""))).isEqualTo("demo-org/web.app_2");
    for (String bad : new String[] {
        "{\"owner\": \"-demo\", \"repo\": \"webapp\"}",
        "{\"owner\": \"demo\", \"repo\": \"..\"}",
        "{\"owner\": \"demo\", \"repo\": \"web/app\"}",
        "{\"owner\": \"de mo\", \"repo\": \"webapp\"}",
        "{\"repo\": \"webapp\"}"}) {
      assertThatThrownBy(() -> provider.resource(call("get_issue", bad)))
          .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENTS));
    }
  }

  @Test
  void argumentsOutsideTheSchemaAreRefusedWithTheFieldNamed() {
    GitHubToolProvider provider = provider();
    Map<String, String> cases = Map.of(
        "{\"owner\": \"demo\", \"repo\": \"webapp\", \"state\": \"merged\"}", "'state' must be one of [open, closed, all]",
        "{\"owner\": \"demo\", \"repo\": \"webapp\", \"per_page\": 101}", "'per_page' must be between 1 and 100",
        "{\"owner\": \"demo\", \"repo\": \"webapp\", \"max_results\": \"10\"}", "'max_results' must be an integer",
        "{\"owner\": \"demo\", \"repo\": \"webapp\", \"sort\": \"created\"}", "unknown argument 'sort'",
        "{\"owner\": \"demo\"}", "'repo' is required");
    cases.forEach((arguments, message) -> assertThatThrownBy(
        () -> provider.execute(call("list_issues", arguments), GitHubTestSupport.installationToken()))
        .isInstanceOfSatisfying(GatewayException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENTS);
          assertThat(e.getMessage()).contains(message);
        }));
    assertThat(github.getAllServeEvents()).isEmpty();
  }

  @Test
  void paginationRefusesToFollowALinkToAnotherHost() {
    github.stubFor(get(urlPathEqualTo("/repos/demo/webapp/issues")).willReturn(okJson("[{\"number\": 1}]")
        .withHeader("Link", "<https://evil.example/steal?page=2>; rel=\"next\"")));

    assertThatThrownBy(() -> provider().execute(call("list_issues", """
        {"owner": "demo", "repo": "webapp"}"""), GitHubTestSupport.installationToken()))
        .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PROVIDER_FAILED));
  }
}
