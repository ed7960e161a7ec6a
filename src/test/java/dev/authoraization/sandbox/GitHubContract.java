package dev.authoraization.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * GitHub's published REST description ({@code @octokit/openapi} 23.0.2,
 * {@code api.github.com.json}) as a response validator, loaded once per JVM (it takes seconds).
 * Strict: every required field, type and enum of today's schema must hold. One relaxation, said
 * here: a status code the operation does not list (GitHub answers 401 everywhere but documents it
 * on few operations) is not an error; such bodies are checked by the tests themselves.
 */
final class GitHubContract {

  static final String DEFAULT_PATH = "src/test/contract/node_modules/@octokit/openapi/generated/api.github.com.json";

  private static volatile OpenApiInteractionValidator validator;

  private GitHubContract() {}

  static synchronized OpenApiInteractionValidator validator() {
    if (validator == null) {
      Path spec = Path.of(System.getProperty("github.openapi.path", DEFAULT_PATH)).toAbsolutePath();
      if (!Files.isRegularFile(spec)) {
        fail("GitHub's OpenAPI description is missing at " + spec
            + ": run `npm ci` in src/test/contract (or pass -Dgithub.openapi.path=...)");
      }
      validator = OpenApiInteractionValidator.createForInlineApiSpecification(patched(spec))
          // allOf branches are merged into one schema first: the validator forbids undeclared
          // properties, which would otherwise make every allOf branch reject the others' fields.
          .withResolveCombinators(true)
          .withLevelResolver(LevelResolver.create()
              .withLevel("validation.response.status.unknown", ValidationReport.Level.IGNORE)
              .build())
          .build();
    }
    return validator;
  }

  /**
   * The description with one change: repos/get-content's {@code oneOf} carries a discriminator
   * on {@code type}, but one branch ({@code content-directory}) is an array, which the JSON
   * schema validator rejects as an invalid schema before validating anything. Without the
   * discriminator the {@code oneOf} still selects exactly one branch. No schema is relaxed.
   */
  private static String patched(Path spec) {
    JsonNode root = JsonMapper.builder().build().readTree(spec.toFile());
    JsonNode content = root.path("paths").path("/repos/{owner}/{repo}/contents/{path}").path("get")
        .path("responses").path("200").path("content").path("application/json").path("schema");
    if (content instanceof ObjectNode schema) {
      schema.remove("discriminator");
    }
    return root.toString();
  }

  /**
   * Validates a sandbox response against the operation its path and method select.
   *
   * @param apiPath the path below the API base, e.g. {@code /repos/demo/webapp/pulls/7}
   */
  static void assertValid(String method, String apiPath, HttpResponse<String> response) {
    // The contents path parameter spans several segments; the description declares one, so
    // the remaining slashes are percent-encoded for matching, not for the request.
    String matchPath = apiPath.replaceFirst("\\?.*$", "");
    int contents = matchPath.indexOf("/contents/");
    if (contents >= 0) {
      String rest = matchPath.substring(contents + "/contents/".length());
      matchPath = matchPath.substring(0, contents) + "/contents/" + URLEncoder.encode(rest, StandardCharsets.UTF_8);
    }
    SimpleResponse.Builder builder = SimpleResponse.Builder.status(response.statusCode());
    response.headers().map().forEach((name, values) -> builder.withHeader(name, values));
    if (!response.body().isEmpty()) {
      builder.withBody(response.body());
    }
    ValidationReport report = validator().validateResponse(matchPath, Request.Method.valueOf(method), builder.build());
    assertThat(report.getMessages().stream().filter(m -> m.getLevel() != ValidationReport.Level.IGNORE).toList())
        .as("%s %s -> %d must match GitHub's description", method, apiPath, response.statusCode())
        .isEmpty();
  }
}
