package dev.authoraization.dependency;

import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.core.functions.Either;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One dependency's retry and circuit breaker (resilience4j, used programmatically). A
 * {@link TransientFailure} of an idempotent read is retried with exponential backoff and jitter;
 * after the last attempt, or for a write at once, it reaches the caller as
 * {@code DEPENDENCY_UNAVAILABLE} naming the dependency, the attempts and when to retry. When the
 * circuit is open, calls are refused without contacting the dependency until {@code openFor}
 * has passed; then trial calls decide whether it closes again. Nothing else is counted: a 4xx
 * answer is the dependency working.
 */
public final class Guard {

  private final Dependency dependency;
  private final ResilienceProperties settings;
  private final CircuitBreaker breaker;
  private final Retry reads;

  public Guard(Dependency dependency, ResilienceProperties settings) {
    this.dependency = dependency;
    this.settings = settings;
    this.breaker = CircuitBreaker.of(dependency.name().toLowerCase(), CircuitBreakerConfig.custom()
        .failureRateThreshold(settings.failureRate())
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(settings.window())
        .minimumNumberOfCalls(settings.minimumCalls())
        .waitDurationInOpenState(settings.openFor())
        .permittedNumberOfCallsInHalfOpenState(1)
        .recordException(TransientFailure.class::isInstance)
        .build());
    IntervalFunction backoff = IntervalFunction.ofExponentialRandomBackoff(
        settings.backoff().isZero() ? Duration.ofMillis(1) : settings.backoff(), settings.multiplier(), settings.jitter());
    this.reads = Retry.of(dependency.name().toLowerCase() + "-reads", RetryConfig.<Object>custom()
        .maxAttempts(settings.attempts())
        .intervalBiFunction((IntervalBiFunction<Object>) (attempt, outcome) -> wait(backoff.apply(attempt), outcome))
        .retryOnException(e -> e instanceof TransientFailure failure && waitable(failure))
        .build());
  }

  public Dependency dependency() {
    return dependency;
  }

  public CircuitBreaker.State state() {
    return breaker.getState();
  }

  public CircuitBreaker.Metrics metrics() {
    return breaker.getMetrics();
  }

  /** An idempotent read: retried on transient failures, within the circuit. */
  public <T> T read(Supplier<T> call) {
    return guarded(Retry.decorateSupplier(reads, call), settings.attempts());
  }

  /** A call that must not be repeated blindly (a merge, a comment, a token): tried once, within the circuit. */
  public <T> T once(Supplier<T> call) {
    return guarded(call, 1);
  }

  /**
   * Refuses at once, as a call would be refused, while the circuit is open: for work that is
   * pointless without the dependency (an approval nobody can be asked for). Uses up no trial call.
   */
  public void refuseWhenOpen() {
    // asks for a permit (an open circuit whose pause is over turns half-open) and gives it back
    if (!breaker.tryAcquirePermission()) {
      throw open();
    }
    breaker.releasePermission();
  }

  private GatewayException open() {
    long seconds = Math.max(1, settings.openFor().toSeconds());
    return new GatewayException(ErrorCode.DEPENDENCY_UNAVAILABLE, dependency.label() + " unavailable: it failed "
        + Math.round(breaker.getMetrics().getFailureRate()) + "% of the last "
        + breaker.getMetrics().getNumberOfBufferedCalls() + " calls, so the engine stops calling it for a while"
        + " (circuit open); nothing was executed. Retry after " + seconds + " s.",
        Map.of("dependency", key(), "retry_after_seconds", Long.toString(seconds)));
  }

  private <T> T guarded(Supplier<T> call, int attempts) {
    try {
      return breaker.executeSupplier(call);
    } catch (CallNotPermittedException open) {
      throw open();
    } catch (TransientFailure failure) {
      int tried = waitable(failure) ? attempts : 1;
      Map<String, String> details = new HashMap<>(failure.details());
      details.put("dependency", key());
      String when = failure.retryAfter().map(after -> {
        details.put("retry_after_seconds", Long.toString(Math.max(1, after.toSeconds())));
        return "; retry after " + Math.max(1, after.toSeconds()) + " s";
      }).orElse("; retry later");
      String what = failure.getMessage().endsWith(".")
          ? failure.getMessage().substring(0, failure.getMessage().length() - 1) : failure.getMessage();
      throw new GatewayException(ErrorCode.DEPENDENCY_UNAVAILABLE, dependency.label() + " unavailable: "
          + what + (tried > 1 ? " (after " + tried + " attempts)" : "") + when + ".", details, failure);
    }
  }

  /** The backoff, or longer when the dependency named a (short) {@code Retry-After}. */
  private static long wait(long backoffMillis, Either<Throwable, Object> outcome) {
    if (outcome.isLeft() && outcome.getLeft() instanceof TransientFailure failure && failure.retryAfter().isPresent()) {
      return Math.max(backoffMillis, failure.retryAfter().get().toMillis());
    }
    return backoffMillis;
  }

  /** A dependency that asked for a long pause is not retried now; the caller hears when to come back. */
  private boolean waitable(TransientFailure failure) {
    Optional<Duration> after = failure.retryAfter();
    return after.isEmpty() || after.get().compareTo(settings.maxRetryAfter()) <= 0;
  }

  private String key() {
    return dependency.name().toLowerCase();
  }
}
