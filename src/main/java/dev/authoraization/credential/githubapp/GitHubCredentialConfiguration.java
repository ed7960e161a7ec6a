package dev.authoraization.credential.githubapp;

import dev.authoraization.tool.github.GitHubClient;
import dev.authoraization.tool.github.GitHubProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Chooses the GitHub credential vault by {@code engine.github.credentials} ({@code app} or
 * {@code token}) and checks its configuration once, at start-up.
 */
@Configuration(proxyBeanMethods = false)
public class GitHubCredentialConfiguration {

  /** The key file, unless another source (the encrypted vault) is defined. */
  @Bean
  @ConditionalOnProperty(name = "engine.github.credentials", havingValue = "app")
  @ConditionalOnMissingBean(AppKeySource.class)
  AppKeySource gitHubAppKeySource(GitHubProperties properties) {
    Path path = properties.app().keyFile().orElseThrow(() -> new IllegalStateException(
        "engine.github.credentials=app needs engine.github.app.private-key-path (the App's PKCS#8 PEM private key)."));
    if (!Files.isReadable(path)) {
      throw new IllegalStateException("The GitHub App private key file " + path
          + " (engine.github.app.private-key-path) does not exist or is not readable.");
    }
    return new PemFileKeySource(path);
  }

  @Bean
  @ConditionalOnProperty(name = "engine.github.credentials", havingValue = "app")
  GitHubAppVault gitHubAppVault(GitHubProperties properties, GitHubClient github, AppKeySource keys) {
    String appId = properties.app().id().orElseThrow(() -> new IllegalStateException(
        "engine.github.credentials=app needs engine.github.app.app-id (the App's id, shown on its settings page)."));
    return new GitHubAppVault(github, appId, keys, properties.app().installation(), Clock.systemUTC());
  }

  @Bean
  @ConditionalOnProperty(name = "engine.github.credentials", havingValue = "token")
  PersonalTokenVault personalTokenVault(GitHubProperties properties) {
    String token = properties.personalToken().orElseThrow(() -> new IllegalStateException(
        "engine.github.credentials=token needs engine.github.token (a personal access token; "
            + "for production prefer engine.github.credentials=app)."));
    return new PersonalTokenVault(token, Clock.systemUTC());
  }
}
