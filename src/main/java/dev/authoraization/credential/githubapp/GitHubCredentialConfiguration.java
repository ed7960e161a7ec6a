package dev.authoraization.credential.githubapp;

import dev.authoraization.credential.SecretKind;
import dev.authoraization.credential.StoredSecrets;
import dev.authoraization.tool.github.GitHubClient;
import dev.authoraization.tool.github.GitHubProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.RSAPrivateKey;
import java.util.Optional;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

/**
 * Chooses the GitHub credential vault by {@code engine.github.credentials} ({@code app} or
 * {@code token}) and checks its configuration once, at start-up. The App key and the personal
 * token come from configuration when it names them, else from the engine's vault (entries
 * {@value #APP_KEY_ID} and {@value #PAT_ID}, owner {@code service}), else (App key only) from a key
 * another part of the engine offers (the sandbox forge's own App).
 */
@Configuration(proxyBeanMethods = false)
public class GitHubCredentialConfiguration {

  /** The vault entry (owner {@code service}, kind {@code github-app-key}) holding the App's PKCS#8 PEM key. */
  public static final String APP_KEY_ID = "github-app";
  /** The vault entry (owner {@code service}, kind {@code pat}) holding the personal access token. */
  public static final String PAT_ID = "github-pat";

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
  GitHubAppVault gitHubAppVault(GitHubProperties properties, GitHubClient github, ObjectProvider<AppKeySource> keySources,
      ObjectProvider<StoredSecrets> secrets) {
    AppKeySource keys = appKey(properties, keySources, secrets);
    String appId = properties.app().id().orElseThrow(() -> new IllegalStateException(
        "engine.github.credentials=app needs engine.github.app.app-id (the App's id, shown on its settings page)."));
    return new GitHubAppVault(github, appId, keys, properties.app().installation(), Clock.systemUTC());
  }

  @Bean
  @ConditionalOnProperty(name = "engine.github.credentials", havingValue = "token")
  PersonalTokenVault personalTokenVault(GitHubProperties properties, ObjectProvider<StoredSecrets> secrets) {
    String token = properties.personalToken()
        .or(() -> stored(secrets, PAT_ID, SecretKind.PAT))
        .orElseThrow(() -> new IllegalStateException(
            "engine.github.credentials=token needs engine.github.token (a personal access token), or the token in the "
                + "vault: `vault put --id " + PAT_ID + " --kind pat --from-file FILE`. For production prefer "
                + "engine.github.credentials=app."));
    return new PersonalTokenVault(token, Clock.systemUTC());
  }

  /** The configured key file first, then the vault's entry, then any other source (the sandbox's App). */
  private static AppKeySource appKey(GitHubProperties properties, ObjectProvider<AppKeySource> keySources,
      ObjectProvider<StoredSecrets> secrets) {
    if (properties.app().keyFile().isPresent()) {
      return keySources.getObject(); // the @Primary file source above
    }
    Optional<String> pem = stored(secrets, APP_KEY_ID, SecretKind.GITHUB_APP_KEY);
    if (pem.isPresent()) {
      RSAPrivateKey key = PemFileKeySource.parse(pem.get(), "vault entry " + APP_KEY_ID);
      return () -> key;
    }
    return keySources.getIfAvailable(() -> {
      throw new IllegalStateException("engine.github.credentials=app needs the App's PKCS#8 PEM private key: "
          + "engine.github.app.private-key-path, or the key in the vault: "
          + "`vault put --id " + APP_KEY_ID + " --kind github-app-key --from-file key.pem`.");
    });
  }

  private static Optional<String> stored(ObjectProvider<StoredSecrets> secrets, String id, SecretKind kind) {
    StoredSecrets store = secrets.getIfAvailable();
    return store == null ? Optional.empty() : store.find(id, StoredSecrets.SERVICE, kind);
  }
}
