package dev.authoraization.tool.github;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.authoraization.tool.github.GitHubTestSupport.JSON;
import static dev.authoraization.tool.github.GitHubTestSupport.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.report.ValidationReport;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.authoraization.call.Caller;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.call.ToolCall;
import dev.authoraization.credential.Credential;
import dev.authoraization.credential.CredentialRequest;
import dev.authoraization.credential.githubapp.GitHubAppVault;
import dev.authoraization.tool.Risk;
import dev.authoraization.tool.ToolDescriptor;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every request the engine sends to GitHub, for every tool and for minting and revoking tokens,
 * checked against GitHub's published OpenAPI description. No recording exists of pull requests,
 * merges or App token calls, so the stub answers with the description's own documented
 * {@code examples} (documented, not recorded), adjusted only where noted.
 */
class GitHubContractIT {

  /** Answers a token request as GitHub does: the documented example, with the permissions asked for. */
  static final class MintedAsAsked implements ResponseDefinitionTransformerV2 {
    @Override
    public ResponseDefinition transform(ServeEvent event) {
      ObjectNode token = (ObjectNode) GitHubDescription.example("installation-token");
      JsonNode asked = JSON.readTree(event.getRequest().getBodyAsString());
      // The example's 2016 expiry and its {issues: write, contents: read} are replaced: GitHub
      // answers with the permissions requested and an expiry an hour ahead.
      token.put("expires_at", Instant.now().plusSeconds(3600).toString());
      ObjectNode permissions = token.putObject("permissions");
      asked.path("permissions").properties().forEach(p -> permissions.set(p.getKey(), p.getValue()));
      return new ResponseDefinitionBuilder()
              .withStatus(201).withHeader("Content-Type", "application/json; charset=utf-8")
              .withBody(JSON.writeValueAsString(token)).build();
    }

    @Override
    public boolean applyGlobally() {
      return false;
    }

    @Override
    public String getName() {
      return "minted-as-asked";
    }
  }

  @RegisterExtension
  static WireMockExtension github = WireMockExtension.newInstance()
      .options(wireMockConfig().dynamicPort().extensions(new MintedAsAsked())).build();

  private static final Caller ALICE = Caller.of("alice", "https://issuer.test", Set.of("dev"));
  private static final String HEAD = GitHubDescription.example("pull-request").path("head").path("sha").asString();

  private GitHubToolProvider provider;
  private GitHubAppVault vault;

  private static ResponseDefinitionBuilder example(int status, JsonNode body) {
    return aResponse().withStatus(status).withHeader("Content-Type", "application/json; charset=utf-8")
        .withBody(JSON.writeValueAsString(body));
  }

  @BeforeEach
  void setUp() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    RSAPrivateKey key = (RSAPrivateKey) generator.generateKeyPair().getPrivate();
    GitHubClient client = GitHubTestSupport.client(github);
    provider = new GitHubToolProvider(client);
    vault = new GitHubAppVault(client, "123456", () -> key, Optional.empty(), Clock.systemUTC());

    github.stubFor(get(urlPathEqualTo("/repos/octocat/Hello-World/installation"))
        .willReturn(example(200, GitHubDescription.example("installation"))));
    github.stubFor(get(urlPathEqualTo("/app/installations"))
        .willReturn(example(200, GitHubDescription.example("base-installation-items"))));
    github.stubFor(post(urlPathEqualTo("/app/installations/1/access_tokens"))
        .willReturn(aResponse().withTransformers("minted-as-asked")));
    github.stubFor(delete(urlPathEqualTo("/installation/token")).willReturn(aResponse().withStatus(204)));

    // issue-items documents an issue that is a pull request; add a plain issue on a second page.
    ObjectNode plain = (ObjectNode) GitHubDescription.example("issue");
    plain.remove("pull_request");
    plain.put("number", 1348);
    github.stubFor(get(urlPathEqualTo("/repos/octocat/Hello-World/issues"))
        .willReturn(example(200, GitHubDescription.example("issue-items"))
            .withHeader("Link", "<" + github.baseUrl() + "/repositories/1296269/issues?page=2>; rel=\"next\"")));
    github.stubFor(get(urlPathEqualTo("/repositories/1296269/issues"))
        .willReturn(example(200, JSON.createArrayNode().add(plain))));
    github.stubFor(get(urlPathEqualTo("/repos/octocat/Hello-World/issues/1347"))
        .willReturn(example(200, GitHubDescription.example("issue"))));
    github.stubFor(post(urlPathEqualTo("/repos/octocat/Hello-World/issues/1347/comments"))
        .willReturn(example(201, GitHubDescription.example("issue-comment"))));
    github.stubFor(get(urlPathEqualTo("/repos/octocat/Hello-World/pulls"))
        .willReturn(example(200, GitHubDescription.example("pull-request-simple-items"))));
    github.stubFor(get(urlPathEqualTo("/repos/octocat/Hello-World/pulls/1347"))
        .willReturn(example(200, GitHubDescription.example("pull-request"))));
    github.stubFor(get(urlPathMatching("/repos/octocat/Hello-World/commits/[0-9a-f]{40}/status"))
        .willReturn(example(200, GitHubDescription.example("combined-commit-status"))));
    github.stubFor(put(urlPathEqualTo("/repos/octocat/Hello-World/pulls/1347/merge"))
        .willReturn(example(200, GitHubDescription.example("pull-request-merge-result-response-if-merge-was-successful"))));
    // The documented file example's "content" is not valid base64 (it holds literal "\n"
    // sequences), so the stub sends the same file with its text properly encoded.
    ObjectNode file = (ObjectNode) GitHubDescription.example("content-file-response-if-content-is-a-file");
    file.put("content", Base64.getMimeEncoder().encodeToString("# Hello-World\n".getBytes(StandardCharsets.UTF_8)));
    github.stubFor(get(urlPathEqualTo("/repos/octocat/Hello-World/contents/README.md")).willReturn(example(200, file)));
    github.stubFor(get(urlPathEqualTo("/repos/octocat/Hello-World/contents/"))
        .willReturn(example(200, GitHubDescription.example("content-file-response-if-content-is-a-directory"))));
    github.stubFor(get(urlPathEqualTo("/installation/repositories"))
        .willReturn(example(200, GitHubDescription.example("repository-paginated-2"))));
  }

  /** What the gateway does for one call: credential, preconditions and approval binding, execute, close. */
  private JsonNode run(String tool, String arguments) {
    ToolCall call = call(tool, arguments);
    ToolDescriptor descriptor = provider.tools().stream().filter(t -> t.name().equals(tool)).findFirst().orElseThrow();
    String resource = provider.resource(call);
    boolean destructive = descriptor.risk() == Risk.DESTRUCTIVE;
    if (destructive) {
      Map<String, String> bound;
      try (Credential readOnly = vault.issue(new CredentialRequest(descriptor.credential().readOnly(), resource, ALICE, false))) {
        bound = provider.preconditions(call, readOnly);
      }
      ObjectNode approved = ((ObjectNode) call.arguments()).deepCopy();
      approved.put(GitHubToolProvider.EXPECTED_HEAD_SHA, bound.get(GitHubToolProvider.EXPECTED_HEAD_SHA));
      call = new ToolCall(tool, approved, ALICE, call.idempotencyKey());
    }
    try (Credential credential = vault.issue(new CredentialRequest(descriptor.credential(), resource, ALICE, destructive))) {
      return provider.execute(call, credential).content();
    }
  }

  @Test
  void everyRequestTheEngineSendsMatchesGitHubsDescription() {
    JsonNode issues = run("list_issues", "{\"owner\": \"octocat\", \"repo\": \"Hello-World\", \"labels\": \"bug\"}");
    run("get_issue", "{\"owner\": \"octocat\", \"repo\": \"Hello-World\", \"issue_number\": 1347}");
    JsonNode pulls = run("list_pull_requests", "{\"owner\": \"octocat\", \"repo\": \"Hello-World\", \"state\": \"all\"}");
    JsonNode pull = run("get_pull_request", "{\"owner\": \"octocat\", \"repo\": \"Hello-World\", \"pull_number\": 1347}");
    JsonNode readme = run("get_file_contents", "{\"owner\": \"octocat\", \"repo\": \"Hello-World\", \"path\": \"README.md\", \"ref\": \"main\"}");
    JsonNode root = run("get_file_contents", "{\"owner\": \"octocat\", \"repo\": \"Hello-World\", \"path\": \"/\"}");
    JsonNode repositories = run("list_repositories", "{}");
    run("comment_on_issue", "{\"owner\": \"octocat\", \"repo\": \"Hello-World\", \"issue_number\": 1347, \"body\": \"Me too\"}");
    JsonNode merged = run("merge_pull_request",
        "{\"owner\": \"octocat\", \"repo\": \"Hello-World\", \"pull_number\": 1347, \"merge_method\": \"squash\", \"commit_title\": \"Amazing\"}");

    assertThat(issues.path("issues").values()).extracting(i -> i.path("number").asInt()).containsExactly(1348);
    assertThat(pull.path("head_sha").asString()).isEqualTo(HEAD);
    // the documented combined status: two contexts, both success
    assertThat(pulls.path("pull_requests").get(0).path("checks").path("state").asString()).isEqualTo("success");
    assertThat(pulls.path("pull_requests").get(0).path("checks").path("total").asInt()).isEqualTo(2);
    assertThat(readme.path("text").asString()).isEqualTo("# Hello-World\n");
    assertThat(root.path("type").asString()).isEqualTo("dir");
    assertThat(repositories.path("repositories").get(0).path("full_name").asString()).isEqualTo("octocat/Hello-World");
    assertThat(merged.path("merged").asBoolean()).isTrue();

    List<LoggedRequest> sent = github.getAllServeEvents().stream().map(ServeEvent::getRequest).toList();
    Set<String> operations = new TreeSet<>();
    for (LoggedRequest request : sent) {
      String path = request.getUrl().replaceAll("\\?.*", "");
      if (path.startsWith("/repositories/")) {
        // A Link target: GitHub's own URL (the undocumented /repositories/{id}/... form, as in the
        // recordings), which the client follows verbatim rather than builds.
        continue;
      }
      Optional<String> operation = GitHubDescription.operationId(request.getMethod().getName(), path);
      assertThat(operation).as("%s %s is an operation GitHub documents", request.getMethod(), path).isPresent();
      operations.add(operation.get());
      if (path.endsWith("/contents/")) {
        // The repository root is "/contents/" with an empty {path}, which OpenAPI cannot express
        // (path parameters are required and non-empty). Octokit sends exactly this request, and
        // GitHubRecordingsIT replays GitHub's recorded answer to it.
        continue;
      }
      ValidationReport report = GitHubDescription.validate(request);
      assertThat(report.hasErrors()).as("%s %s (%s) against GitHub's description:%n%s",
          request.getMethod(), request.getUrl(), operation.get(), GitHubDescription.describe(report)).isFalse();
    }
    assertThat(operations).containsAll(List.of("issues/list-for-repo", "issues/get", "issues/create-comment",
        "pulls/list", "pulls/get", "pulls/merge", "repos/get-content", "repos/get-combined-status-for-ref", "apps/get-repo-installation",
        "apps/create-installation-access-token", "apps/revoke-installation-access-token",
        "apps/list-repos-accessible-to-installation", "apps/list-installations"));
  }

  @Test
  void theDescriptionRefusesRequestsGitHubWouldRefuse() {
    ValidationReport badMerge = GitHubDescription.validator().validateRequest(
        SimpleRequest.Builder.put("/repos/octocat/Hello-World/pulls/1347/merge")
            .withContentType("application/json").withBody("{\"merge_method\": \"fast-forward\"}").build());
    ValidationReport badPermission = GitHubDescription.validator().validateRequest(
        SimpleRequest.Builder.post("/app/installations/1/access_tokens")
            .withContentType("application/json").withBody("{\"permissions\": {\"contents\": \"admin\"}}").build());

    assertThat(badMerge.hasErrors()).isTrue();
    assertThat(badPermission.hasErrors()).isTrue();
  }

  @Test
  void documentedMergeRefusalsMapToClearErrors() {
    JsonNode responses = GitHubDescription.responses("/repos/{owner}/{repo}/pulls/{pull_number}/merge", "put");
    JsonNode notMergeable = responses.path("405").path("content").path("application/json").path("examples").values().iterator().next().path("value");
    JsonNode moved = responses.path("409").path("content").path("application/json").path("examples").values().iterator().next().path("value");
    String merge = "{\"owner\": \"octocat\", \"repo\": \"Hello-World\", \"pull_number\": 1347, \"expected_head_sha\": \"" + HEAD + "\"}";

    github.stubFor(put(urlPathEqualTo("/repos/octocat/Hello-World/pulls/1347/merge")).willReturn(example(405, notMergeable)));
    GatewayException refused = catchThrowableOfType(GatewayException.class,
        () -> provider.execute(call("merge_pull_request", merge), GitHubTestSupport.installationToken()));
    github.stubFor(put(urlPathEqualTo("/repos/octocat/Hello-World/pulls/1347/merge")).willReturn(example(409, moved)));
    GatewayException conflict = catchThrowableOfType(GatewayException.class,
        () -> provider.execute(call("merge_pull_request", merge), GitHubTestSupport.installationToken()));

    assertThat(notMergeable.path("message").asString()).isEqualTo("Pull Request is not mergeable");
    assertThat(refused.code()).isEqualTo(ErrorCode.NOT_MERGEABLE);
    assertThat(conflict.code()).isEqualTo(ErrorCode.PRECONDITION_FAILED);
    assertThat(conflict.getMessage()).contains(HEAD).contains("ask for a new approval");
  }
}
