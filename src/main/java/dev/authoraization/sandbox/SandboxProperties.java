package dev.authoraization.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configuration of the sandbox forge ({@code engine.sandbox.*}).
 *
 * @param enabled serve the sandbox GitHub API under {@code /sandbox/github}
 * @param dataDir where the Git repositories, the App key pair and the personal token live
 * @param personalToken the sandbox personal access token; empty means generate one at first
 *     start and keep it in {@code <data-dir>/personal-token}
 * @param latency how long the sandbox holds back each answer of its GitHub API, standing in for
 *     the network and GitHub's own time (bench/load/run FORGE_LATENCY); zero (the default) answers
 *     at once
 */
@ConfigurationProperties("engine.sandbox")
public record SandboxProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("./data/sandbox") Path dataDir,
    @DefaultValue("") String personalToken,
    @DefaultValue("0s") Duration latency) {

  /** The longest latency accepted: beyond it a client's timeout, not a slow forge, is simulated. */
  static final Duration MAX_LATENCY = Duration.ofSeconds(10);

  public SandboxProperties {
    if (latency.isNegative() || latency.compareTo(MAX_LATENCY) > 0) {
      throw new IllegalArgumentException("engine.sandbox.latency must be between 0s and "
          + MAX_LATENCY.toSeconds() + "s, not " + latency);
    }
  }

  public Path reposDir() {
    return dataDir.resolve("repos");
  }
}
