package dev.authoraization.tool.github;

import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.dependency.Dependency;
import dev.authoraization.dependency.Guard;
import dev.authoraization.dependency.ResilienceProperties;
import dev.authoraization.dependency.TransientFailure;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.MissingNode;

/**
 * A thin client for the part of GitHub's REST API the engine uses, on {@link HttpClient}. It sends
 * exactly the headers GitHub documents ({@code Accept: application/vnd.github+json},
 * {@code X-GitHub-Api-Version: 2022-11-28}, a bearer token, a {@code User-Agent}) to any API root
 * (api.github.com, GHES {@code /api/v3}, the sandbox forge), and maps GitHub's error answers to
 * {@link GatewayException}s once, here. See docs/adr/0005-github-client.md and
 * <a href="https://docs.github.com/rest/using-the-rest-api/getting-started-with-the-rest-api">GitHub's REST guide</a>.
 *
 * <p>The token is only ever put into the {@code Authorization} header; no message or log line
 * built here contains a header.
 */
public class GitHubClient {

  public static final String API_VERSION = "2022-11-28";
  public static final String USER_AGENT = "AuthorAIzation-Engine";
  private static final int MAX_REDIRECTS = 3;
  private static final int MAX_MESSAGE = 300;
  private static final Logger log = LoggerFactory.getLogger(GitHubClient.class);

  private final URI apiUrl;
  private final String base;
  private final Duration requestTimeout;
  private final HttpClient http;
  private final JsonMapper json = JsonMapper.builder().build();
  /**
   * Reads are idempotent, so a GitHub that is briefly down (5xx, connection refused, timeout) is
   * retried with exponential backoff and jitter. Writes (a comment, a merge, a token) are never
   * retried blindly, and neither are rate limits: those name their reset time instead. All calls
   * share GitHub's circuit breaker.
   */
  private final Guard guard;

  public GitHubClient(GitHubProperties properties) {
    this(properties, new Guard(Dependency.GITHUB, ResilienceProperties.defaults()));
  }

  public GitHubClient(GitHubProperties properties, Guard guard) {
    this.guard = guard;
    this.apiUrl = properties.apiUrl();
    String root = properties.apiUrl().toString();
    this.base = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
    this.requestTimeout = properties.requestTimeout();
    // Redirects are followed by hand, and only within the API's origin: HttpClient would resend
    // the Authorization header to wherever a Location points.
    this.http = HttpClient.newBuilder()
        .connectTimeout(properties.connectTimeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .version(HttpClient.Version.HTTP_1_1)
        .build();
  }

  public JsonMapper json() {
    return json;
  }

  /** {@code path} segments are encoded for a URL path; slashes inside a segment are kept when {@code keepSlashes}. */
  public static String segment(String value, boolean keepSlashes) {
    StringJoiner joined = new StringJoiner("/");
    for (String part : keepSlashes ? value.split("/", -1) : new String[] {value}) {
      joined.add(URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return joined.toString();
  }

  public GitHubResponse get(String path, Map<String, String> query, String bearer) {
    URI target = uri(path, query);
    return guard.read(() -> send("GET", target, null, bearer));
  }

  public GitHubResponse post(String path, JsonNode body, String bearer) {
    return guard.once(() -> send("POST", uri(path, Map.of()), body, bearer));
  }

  public GitHubResponse put(String path, JsonNode body, String bearer) {
    return guard.once(() -> send("PUT", uri(path, Map.of()), body, bearer));
  }

  public GitHubResponse delete(String path, String bearer) {
    return guard.once(() -> send("DELETE", uri(path, Map.of()), null, bearer));
  }

  /** GitHub's retry and circuit breaker, for health. */
  public Guard guard() {
    return guard;
  }

  /** The API root this client calls. */
  public URI apiUrl() {
    return apiUrl;
  }

  /** Items of a listing across pages ({@code Link: rel="next"}), at most {@code max} accepted items. */
  public record Page(List<JsonNode> items, boolean truncated) {}

  /**
   * Follows GitHub's {@code Link} pagination, keeping the items {@code keep} accepts until
   * {@code max} are kept.
   *
   * @param itemsOf the array of items in one page's body (a bare array, or a field of an object)
   */
  public Page paginate(String path, Map<String, String> query, String bearer, int max,
      Function<JsonNode, JsonNode> itemsOf, Predicate<JsonNode> keep) {
    List<JsonNode> kept = new ArrayList<>();
    URI next = uri(path, query);
    while (true) {
      URI pageUri = next;
      GitHubResponse page = guard.read(() -> send("GET", pageUri, null, bearer));
      JsonNode items = itemsOf.apply(page.body());
      if (!items.isArray()) {
        throw new GatewayException(ErrorCode.PROVIDER_FAILED, "GitHub answered a listing without an array of items.");
      }
      for (JsonNode item : items.values()) {
        if (!keep.test(item)) {
          continue;
        }
        if (kept.size() == max) {
          return new Page(kept, true);
        }
        kept.add(item);
      }
      Optional<String> link = page.nextLink();
      if (link.isEmpty()) {
        return new Page(kept, false);
      }
      if (kept.size() == max) {
        return new Page(kept, true);
      }
      next = sameOrigin(link.get());
    }
  }

  URI uri(String path, Map<String, String> query) {
    StringBuilder target = new StringBuilder(base).append(path);
    String separator = "?";
    for (Map.Entry<String, String> parameter : new java.util.TreeMap<>(query).entrySet()) {
      target.append(separator).append(URLEncoder.encode(parameter.getKey(), StandardCharsets.UTF_8))
          .append('=').append(URLEncoder.encode(parameter.getValue(), StandardCharsets.UTF_8));
      separator = "&";
    }
    return URI.create(target.toString());
  }

  /** A link GitHub gave us must stay on the API's origin, or the token would travel elsewhere. */
  private URI sameOrigin(String link) {
    URI target = apiUrl.resolve(link);
    if (!Objects.equals(target.getScheme(), apiUrl.getScheme())
        || !Objects.equals(target.getHost(), apiUrl.getHost())
        || target.getPort() != apiUrl.getPort()) {
      throw new GatewayException(ErrorCode.PROVIDER_FAILED,
          "GitHub pointed to another host (" + target.getHost() + "); the engine does not follow it with a credential.");
    }
    return target;
  }

  private GitHubResponse send(String method, URI target, @Nullable JsonNode body, String bearer) {
    URI current = target;
    for (int hop = 0; ; hop++) {
      HttpRequest.Builder request = HttpRequest.newBuilder(current)
          .timeout(requestTimeout)
          .header("Accept", "application/vnd.github+json")
          .header("X-GitHub-Api-Version", API_VERSION)
          .header("User-Agent", USER_AGENT)
          .header("Authorization", "Bearer " + bearer);
      if (body != null) {
        request.header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
      } else {
        request.method(method, HttpRequest.BodyPublishers.noBody());
      }
      HttpResponse<String> response;
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      } catch (HttpTimeoutException e) {
        throw new TransientFailure(apiUrl.getHost() + " did not answer within " + requestTimeout.toMillis() + " ms",
            Optional.empty(), Map.of(), e);
      } catch (IOException e) {
        throw new TransientFailure("GitHub could not be reached at " + apiUrl.getHost() + " ("
            + e.getClass().getSimpleName() + ")", Optional.empty(), Map.of(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new GatewayException(ErrorCode.PROVIDER_FAILED, "Interrupted while calling GitHub.");
      }
      int status = response.statusCode();
      log.debug("GitHub {} {} -> {}", method, current.getPath(), status);
      if (isRedirect(status) && hop < MAX_REDIRECTS) {
        // A renamed or transferred repository answers 301/307 with its new address (same API).
        Optional<String> location = response.headers().firstValue("location");
        if (location.isPresent()) {
          current = sameOrigin(location.get());
          continue;
        }
      }
      if (status >= 200 && status < 300) {
        return new GitHubResponse(status, response.headers(), parse(response.body()));
      }
      throw GitHubErrors.toException(apiUrl.getHost(), status, response.headers(), parse(response.body()));
    }
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 307 || status == 308;
  }

  private JsonNode parse(@Nullable String text) {
    if (text == null || text.isBlank()) {
      return MissingNode.getInstance();
    }
    try {
      return json.readTree(text);
    } catch (JacksonException e) {
      return MissingNode.getInstance();
    }
  }

  /** GitHub's own message, shortened; it never echoes our headers. */
  static String message(JsonNode body) {
    String message = body.path("message").asString("");
    return message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) + "…" : message;
  }
}
