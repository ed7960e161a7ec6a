package dev.authoraization.credential.githubapp;

import dev.authoraization.tool.github.GitHubClient;
import dev.authoraization.tool.github.GitHubProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

/**
 * Chooses the GitHub credential vault by {@code engine.github.credentials} ({@code app} or
 * {@code token}) and checks its configuration once, at start-up.
 */
@Configuration(proxyBeanMethods = false)
public class GitHubCredentialConfiguration {

  /**
   * The configured key file. It wins over a key another part of the engine offers (the sandbox
   * forge's own App), so pointing the engine at real GitHub needs no other switch.
   */
  @Bean
  @Primary
  @ConditionalOnProperty(name = "engine.github.app.private-key-path")
  AppKeySource gitHubAppKeySource(GitHubProperties properties) {
    Path path = properties.app().keyFile().orElseThrow();
    if (!Files.isReadable(path)) {
      throw new IllegalStateException("The GitHub App private key file " + path
          + " (engine.github.app.private-key-path) does not exist or is not readable.");
    }
    return new PemFileKeySource(path);
  }

  @Bean
  @ConditionalOnProperty(name = "engine.github.credentials", havingValue = "app")
  GitHubAppVault gitHubAppVault(GitHubProperties properties, GitHubClient github, ObjectProvider<AppKeySource> keySources) {
    AppKeySource keys = keySources.getIfAvailable(() -> {
      throw new IllegalStateException("engine.github.credentials=app needs engine.github.app.private-key-path "
          + "(the App's PKCS#8 PEM private key).");
    });
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
