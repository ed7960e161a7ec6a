package dev.authoraization.tool.github;

import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.dependency.TransientFailure;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * GitHub's error answers as {@link GatewayException}s, mapped once. Rate limits follow
 * <a href="https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit">GitHub's
 * rate-limit guide</a>: a 403 or 429 with {@code x-ratelimit-remaining: 0} (reset at
 * {@code x-ratelimit-reset}) or with {@code retry-after} (secondary limit). Messages carry GitHub's
 * own {@code message} and never a request header.
 */
final class GitHubErrors {

  private GitHubErrors() {}

  static GatewayException toException(String host, int status, HttpHeaders headers, JsonNode body) {
    String said = GitHubClient.message(body);
    String quoted = said.isEmpty() ? "" : " GitHub said: \"" + said + "\"";
    Map<String, String> details = Map.of("github_status", Integer.toString(status));
    Optional<GatewayException> limited = rateLimit(status, headers, details);
    if (limited.isPresent()) {
      return limited.get();
    }
    return switch (status) {
      case 401 -> new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE,
          "GitHub rejected the credential (expired, revoked or not a GitHub token)." + quoted, details);
      case 403 -> new GatewayException(ErrorCode.DENIED,
          "GitHub refused the call: the credential lacks the permission, or the repository forbids it." + quoted, details);
      case 404 -> new GatewayException(ErrorCode.NOT_FOUND,
          "Repository or pull request not found, or the credential cannot see it.", details);
      case 405 -> new GatewayException(ErrorCode.NOT_MERGEABLE,
          "GitHub cannot perform this action in the current state (for a merge: the pull request is not mergeable)." + quoted,
          details);
      case 409 -> new GatewayException(ErrorCode.PRECONDITION_FAILED,
          "GitHub reports a conflict with the current state." + quoted, details);
      case 422 -> new GatewayException(ErrorCode.INVALID_ARGUMENTS,
          "GitHub rejected the request as invalid: " + validation(said, body), details);
      default -> status >= 500
          // an outage, maybe brief: retried for reads, counted by the circuit breaker
          ? new TransientFailure(host + " answered HTTP " + status + "." + quoted,
              headers.firstValue("retry-after").flatMap(GitHubErrors::seconds), details, null)
          : new GatewayException(ErrorCode.PROVIDER_FAILED, "GitHub answered HTTP " + status + "." + quoted, details);
    };
  }

  private static Optional<GatewayException> rateLimit(int status, HttpHeaders headers, Map<String, String> details) {
    if (status != 403 && status != 429) {
      return Optional.empty();
    }
    Optional<String> retryAfter = headers.firstValue("retry-after");
    boolean spent = headers.firstValue("x-ratelimit-remaining").map("0"::equals).orElse(false);
    if (retryAfter.isPresent()) {
      return Optional.of(new GatewayException(ErrorCode.RATE_LIMITED,
          "GitHub's secondary rate limit was hit; retry after " + retryAfter.get() + " seconds.",
          Map.of("github_status", Integer.toString(status), "retry_after_seconds", retryAfter.get())));
    }
    if (spent || status == 429) {
      String reset = headers.firstValue("x-ratelimit-reset")
          .flatMap(GitHubErrors::epochSeconds)
          .map(Instant::toString)
          .orElse("an unknown time");
      return Optional.of(new GatewayException(ErrorCode.RATE_LIMITED,
          "GitHub's rate limit for this credential is used up; it resets at " + reset + ".",
          Map.of("github_status", Integer.toString(status), "reset_at", reset)));
    }
    return Optional.empty();
  }

  /** {@code Retry-After} in seconds (GitHub sends seconds, not an HTTP date). */
  private static Optional<Duration> seconds(String value) {
    try {
      long seconds = Long.parseLong(value.trim());
      return seconds >= 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Optional<Instant> epochSeconds(String value) {
    try {
      return Optional.of(Instant.ofEpochSecond(Long.parseLong(value.trim())));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** GitHub's 422 body: {@code message} plus {@code errors[]} of {resource, field, code} or {message}. */
  private static String validation(String said, JsonNode body) {
    List<String> parts = new ArrayList<>();
    for (JsonNode error : body.path("errors").values()) {
      if (error.isString()) {
        parts.add(error.asString());
      } else if (error.has("message")) {
        parts.add(error.path("message").asString());
      } else {
        parts.add(error.path("resource").asString("?") + "." + error.path("field").asString("?")
            + " " + error.path("code").asString("invalid"));
      }
    }
    String summary = said.isEmpty() ? "Validation Failed" : said;
    String joined = parts.isEmpty() ? summary : summary + " (" + String.join("; ", parts) + ")";
    return joined.length() > 400 ? joined.substring(0, 400) + "…" : joined;
  }
}
