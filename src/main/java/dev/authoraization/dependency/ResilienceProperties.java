package dev.authoraization.dependency;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Retries and circuit breakers for the engine's dependencies ({@code engine.resilience.*}), the
 * same for each dependency. Checked once when bound.
 *
 * @param attempts how often an idempotent read is tried in all (1 = no retry); writes are tried once
 * @param backoff the wait before the first retry; doubled ({@code multiplier}) for each next one
 * @param jitter the share of each wait drawn at random (0.5: ±50 %), so that nodes do not retry in step
 * @param maxRetryAfter a {@code Retry-After} longer than this is not waited for; the caller is told instead
 * @param failureRate percentage of failed calls among the last {@code window} that opens the circuit
 * @param minimumCalls calls needed in the window before the rate counts
 * @param openFor how long an open circuit refuses calls before letting trial calls through
 */
@ConfigurationProperties("engine.resilience")
public record ResilienceProperties(
    @DefaultValue("3") int attempts,
    @DefaultValue("200ms") Duration backoff,
    @DefaultValue("2.0") double multiplier,
    @DefaultValue("0.5") double jitter,
    @DefaultValue("2s") Duration maxRetryAfter,
    @DefaultValue("50") int failureRate,
    @DefaultValue("10") int window,
    @DefaultValue("5") int minimumCalls,
    @DefaultValue("30s") Duration openFor) {

  public ResilienceProperties {
    if (attempts < 1 || attempts > 10) {
      throw new IllegalArgumentException("engine.resilience.attempts must be 1 to 10, not " + attempts);
    }
    if (jitter < 0 || jitter >= 1) {
      throw new IllegalArgumentException("engine.resilience.jitter must be at least 0 and below 1, not " + jitter);
    }
    if (multiplier < 1) {
      throw new IllegalArgumentException("engine.resilience.multiplier must be at least 1, not " + multiplier);
    }
    if (failureRate < 1 || failureRate > 100) {
      throw new IllegalArgumentException("engine.resilience.failure-rate must be a percentage 1 to 100, not " + failureRate);
    }
    if (minimumCalls < 1 || window < minimumCalls) {
      throw new IllegalArgumentException("engine.resilience needs 1 <= minimum-calls <= window, not "
          + minimumCalls + " and " + window);
    }
    if (backoff.isNegative() || openFor.isNegative() || openFor.isZero() || maxRetryAfter.isNegative()) {
      throw new IllegalArgumentException("engine.resilience durations must be positive");
    }
  }

  public static ResilienceProperties defaults() {
    return new ResilienceProperties(3, Duration.ofMillis(200), 2.0, 0.5, Duration.ofSeconds(2), 50, 10, 5,
        Duration.ofSeconds(30));
  }
}
