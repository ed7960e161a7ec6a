package dev.authoraization.sandbox;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configuration of the sandbox forge ({@code engine.sandbox.*}).
 *
 * @param enabled serve the sandbox GitHub API under {@code /sandbox/github}
 * @param dataDir where the Git repositories, the App key pair and the personal token live
 * @param personalToken the sandbox personal access token; empty means generate one at first
 *     start and keep it in {@code <data-dir>/personal-token}
 */
@ConfigurationProperties("engine.sandbox")
public record SandboxProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("./data/sandbox") Path dataDir,
    @DefaultValue("") String personalToken) {

  public Path reposDir() {
    return dataDir.resolve("repos");
  }
}
