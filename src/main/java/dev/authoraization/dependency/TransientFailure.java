package dev.authoraization.dependency;

import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A failure that may pass by itself: the dependency was unreachable, did not answer in time, or
 * answered 5xx. Only these are retried (for idempotent reads) and counted by a circuit breaker;
 * a refusal (4xx) or a rate limit is an answer, not an outage.
 */
public class TransientFailure extends GatewayException {

  private final Optional<Duration> retryAfter;

  /**
   * @param what what happened, for a person ({@code "api.github.com answered HTTP 503"})
   * @param retryAfter when the dependency said to come back ({@code Retry-After}), if it did
   */
  public TransientFailure(String what, Optional<Duration> retryAfter, Map<String, String> details,
      @Nullable Throwable cause) {
    super(ErrorCode.DEPENDENCY_UNAVAILABLE, what, details, cause);
    this.retryAfter = retryAfter;
  }

  public Optional<Duration> retryAfter() {
    return retryAfter;
  }
}
