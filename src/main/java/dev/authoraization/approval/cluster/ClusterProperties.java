package dev.authoraization.approval.cluster;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings for running several nodes on one PostgreSQL (ignored on H2).
 *
 * @param recheckInterval how often the safety net re-reads what local callers wait on
 * @param claimGrace how long an APPROVED request may stay unclaimed before any node runs it
 * @param maxBackoff the longest pause between attempts to re-open the LISTEN connection
 * @param executingGrace how long a request may stay EXECUTING before it counts as interrupted
 *     (a crash mid-run) and is settled from what the provider confirms; longer than any run
 */
@ConfigurationProperties("engine.cluster")
public record ClusterProperties(Duration recheckInterval, Duration claimGrace, Duration maxBackoff,
    Duration executingGrace) {

  public static final ClusterProperties DEFAULTS = new ClusterProperties(null, null, null, null);

  public ClusterProperties {
    recheckInterval = recheckInterval == null ? Duration.ofSeconds(5) : recheckInterval;
    claimGrace = claimGrace == null ? Duration.ofSeconds(15) : claimGrace;
    maxBackoff = maxBackoff == null ? Duration.ofSeconds(10) : maxBackoff;
    executingGrace = executingGrace == null ? Duration.ofMinutes(10) : executingGrace;
  }
}
