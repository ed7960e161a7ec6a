package dev.authoraization.approval.cluster;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings for running several nodes on one PostgreSQL (ignored on H2).
 *
 * @param recheckInterval how often the safety net re-reads what local callers wait on
 * @param claimGrace how long an APPROVED request may stay unclaimed before any node runs it
 * @param maxBackoff the longest pause between attempts to re-open the LISTEN connection
 */
@ConfigurationProperties("engine.cluster")
public record ClusterProperties(Duration recheckInterval, Duration claimGrace, Duration maxBackoff) {

  public static final ClusterProperties DEFAULTS = new ClusterProperties(null, null, null);

  public ClusterProperties {
    recheckInterval = recheckInterval == null ? Duration.ofSeconds(5) : recheckInterval;
    claimGrace = claimGrace == null ? Duration.ofSeconds(15) : claimGrace;
    maxBackoff = maxBackoff == null ? Duration.ofSeconds(10) : maxBackoff;
  }
}
