package dev.authoraization.tool.github;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the engine reaches GitHub ({@code engine.github.*}). Checked once when bound.
 *
 * @param apiUrl REST API root: {@code https://api.github.com}, GitHub Enterprise Server's
 *     {@code https://HOST/api/v3}, or the sandbox forge
 * @param connectTimeout TCP/TLS connect timeout
 * @param requestTimeout whole-request timeout
 * @param credentials which vault issues GitHub credentials: {@code app} (installation tokens,
 *     narrowed per call), {@code token} (a personal access token, broad), {@code auth0} (the user's
 *     own token from Auth0, {@code engine.credentials.auth0.*}) or {@code keycloak} (the user's
 *     stored broker token, {@code engine.credentials.keycloak.*}); none when unset
 * @param token the personal access token when {@code credentials=token}
 * @param app the GitHub App when {@code credentials=app}
 */
@ConfigurationProperties("engine.github")
public record GitHubProperties(
    @DefaultValue("https://api.github.com") URI apiUrl,
    @DefaultValue("5s") Duration connectTimeout,
    @DefaultValue("30s") Duration requestTimeout,
    @Nullable String credentials,
    @Nullable String token,
    @DefaultValue App app) {

  /**
   * @param appId the App's id (the JWT's {@code iss})
   * @param privateKeyPath the App's private key file, PKCS#8 PEM
   * @param installationId the installation used for calls that name no repository
   *     ({@code list_repositories}); needed only when the App is installed on several accounts
   */
  public record App(@Nullable String appId, @Nullable String privateKeyPath, @Nullable Long installationId) {

    public Optional<String> id() {
      return Optional.ofNullable(appId).filter(id -> !id.isBlank());
    }

    public Optional<Path> keyFile() {
      return Optional.ofNullable(privateKeyPath).filter(path -> !path.isBlank()).map(Path::of);
    }

    public Optional<Long> installation() {
      return Optional.ofNullable(installationId);
    }
  }

  public GitHubProperties {
    if (apiUrl.getScheme() == null || !(apiUrl.getScheme().equals("https") || apiUrl.getScheme().equals("http"))) {
      throw new IllegalArgumentException("engine.github.api-url must be an http(s) URL, not " + apiUrl);
    }
    if (credentials != null && !java.util.Set.of("app", "token", "auth0", "keycloak").contains(credentials)) {
      throw new IllegalArgumentException("engine.github.credentials must be 'app' (GitHub App installation tokens), "
          + "'token' (a personal access token), 'auth0' (the user's token from Auth0) or 'keycloak' (the user's "
          + "stored Keycloak broker token), not '" + credentials + "'.");
    }
    if (app == null) {
      app = new App(null, null, null);
    }
  }

  public static GitHubProperties of(URI apiUrl) {
    return new GitHubProperties(apiUrl, Duration.ofSeconds(5), Duration.ofSeconds(30), null, null, null);
  }

  /** The configured personal access token, when there is a non-blank one. */
  public Optional<String> personalToken() {
    return Optional.ofNullable(token).filter(t -> !t.isBlank());
  }

  /** Never prints the token. */
  @Override
  public String toString() {
    return "GitHubProperties[apiUrl=" + apiUrl + ", credentials=" + credentials
        + ", token=" + (token != null ? "[redacted]" : "null") + ", app=" + app + "]";
  }
}
