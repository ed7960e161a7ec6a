package dev.authoraization.tool.github;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.whitelist.ValidationErrorsWhitelist;
import com.atlassian.oai.validator.whitelist.rule.WhitelistRules;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * GitHub's published REST API description ({@code @octokit/openapi} 23.0.2 from npm, pinned with
 * its integrity hash in src/test/contract/package-lock.json), loaded once per test JVM: building
 * the validator over the 13 MB description takes a few seconds.
 */
public final class GitHubDescription {

  public static final Path MODULES = Path.of("src/test/contract/node_modules").toAbsolutePath();
  public static final Path FILE = MODULES.resolve("@octokit/openapi/generated/api.github.com.json");
  public static final Path SCENARIOS = MODULES.resolve("@octokit/fixtures/scenarios/api.github.com");

  private GitHubDescription() {}

  private static final class Holder {
    static final JsonNode TREE;
    static final OpenApiInteractionValidator VALIDATOR;
    static final List<Operation> OPERATIONS;

    static {
      if (!Files.isRegularFile(FILE)) {
        throw new IllegalStateException("GitHub's API description is missing at " + FILE
            + ": run `bash src/test/contract/fetch.sh` (the Maven build runs it in generate-test-resources).");
      }
      TREE = JsonMapper.builder().build().readTree(FILE.toFile());
      // The one relaxation for our requests: GitHub's REST docs tell clients to send
      // "Accept: application/vnd.github+json" (docs.github.com/rest/using-the-rest-api/media-types),
      // while the description declares its responses as application/json. Only that exact
      // Accept value is let through; every other check stays strict.
      VALIDATOR = OpenApiInteractionValidator.createForSpecificationUrl(FILE.toUri().toString())
          .withWhitelist(ValidationErrorsWhitelist.create().withRule("GitHub's documented media type",
              WhitelistRules.allOf(WhitelistRules.isRequest(),
                  WhitelistRules.messageHasKey("validation.request.accept.notAllowed"),
                  WhitelistRules.headerContainsRegexp("Accept", "^application/vnd\\.github\\+json$"))))
          .build();
      List<Operation> operations = new ArrayList<>();
      for (Map.Entry<String, JsonNode> path : TREE.path("paths").properties()) {
        for (Map.Entry<String, JsonNode> method : path.getValue().properties()) {
          if (method.getValue().has("operationId")) {
            operations.add(new Operation(method.getKey().toUpperCase(), path.getKey(),
                Pattern.compile(path.getKey().replaceAll("\\{[^}]+}", "[^/]*")),
                method.getValue().path("operationId").asString()));
          }
        }
      }
      OPERATIONS = List.copyOf(operations);
    }
  }

  private record Operation(String method, String template, Pattern pattern, String id) {}

  public static OpenApiInteractionValidator validator() {
    return Holder.VALIDATOR;
  }

  /** A documented example's value, {@code components/examples/<name>/value}. */
  public static JsonNode example(String name) {
    JsonNode value = Holder.TREE.path("components").path("examples").path(name).path("value");
    if (value.isMissingNode()) {
      throw new IllegalArgumentException("GitHub's description has no example named " + name);
    }
    return value.deepCopy();
  }

  /** {@code paths/<template>/<method>/responses}, references to shared responses resolved. */
  public static JsonNode responses(String template, String method) {
    JsonNode responses = Holder.TREE.path("paths").path(template).path(method).path("responses").deepCopy();
    for (Map.Entry<String, JsonNode> response : responses.properties()) {
      String ref = response.getValue().path("$ref").asString("");
      if (ref.startsWith("#/components/responses/")) {
        ((tools.jackson.databind.node.ObjectNode) responses).set(response.getKey(),
            Holder.TREE.path("components").path("responses").path(ref.substring("#/components/responses/".length())));
      }
    }
    return responses;
  }

  /** The operation id a request addresses; the most specific template wins (fewest parameters). */
  public static Optional<String> operationId(String method, String path) {
    return Holder.OPERATIONS.stream()
        .filter(op -> op.method().equals(method) && op.pattern().matcher(path).matches())
        .min((a, b) -> Long.compare(a.template().chars().filter(c -> c == '{').count(),
            b.template().chars().filter(c -> c == '{').count()))
        .map(Operation::id);
  }

  /** The request as the validator sees it: method, path, query, headers and body. */
  public static Request request(LoggedRequest logged) {
    String url = logged.getUrl();
    int query = url.indexOf('?');
    String path = query < 0 ? url : url.substring(0, query);
    SimpleRequest.Builder request = new SimpleRequest.Builder(logged.getMethod().getName(), path);
    logged.getQueryParams().forEach((name, values) -> request.withQueryParam(name, values.values()));
    logged.getHeaders().all().forEach(header -> request.withHeader(header.key(), header.values()));
    if (logged.getBody() != null && logged.getBody().length > 0) {
      request.withBody(logged.getBodyAsString());
    }
    return request.build();
  }

  public static ValidationReport validate(LoggedRequest logged) {
    return validator().validateRequest(request(logged));
  }

  /** Messages of a report, one per line, for an assertion's description. */
  public static String describe(ValidationReport report) {
    StringBuilder text = new StringBuilder();
    report.getMessages().forEach(message -> text.append(message.getLevel()).append(' ')
        .append(message.getKey()).append(": ").append(message.getMessage()).append('\n'));
    return text.toString();
  }
}
