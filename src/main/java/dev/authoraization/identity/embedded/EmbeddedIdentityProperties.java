package dev.authoraization.identity.embedded;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The built-in OpenID provider ({@code engine.identity.embedded.*}).
 *
 * @param enabled serve the provider and trust its tokens; false when an external issuer is used
 * @param issuer the exact {@code iss} of its tokens, also the base of its endpoints
 * @param keyDir where the signing key is kept ({@code signing-key.json}, owner-only)
 * @param redirectUris where {@code engine-web} may be sent back with an authorization code
 * @param users users set by configuration; when empty, {@code alice} and {@code admin} are
 *     created with generated passwords at first start
 * @param demoAgentSecret the {@code demo-agent} client secret; when empty one is generated at
 *     first start
 * @param accessTokenTimeToLive how long an access token is valid
 * @param refreshTokenTimeToLive how long a refresh token is valid (each use rotates it)
 */
@ConfigurationProperties(prefix = "engine.identity.embedded")
public record EmbeddedIdentityProperties(Boolean enabled, String issuer, Path keyDir, List<String> redirectUris,
    List<User> users, String demoAgentSecret, Duration accessTokenTimeToLive, Duration refreshTokenTimeToLive) {

  public EmbeddedIdentityProperties {
    enabled = enabled == null || enabled;
    issuer = issuer == null || issuer.isBlank() ? "http://localhost:8080" : stripTrailingSlash(issuer);
    keyDir = keyDir == null ? Path.of("data", "identity") : keyDir;
    redirectUris = redirectUris == null || redirectUris.isEmpty()
        ? List.of("http://localhost:8080/login/oauth2/code/engine") : List.copyOf(redirectUris);
    users = users == null ? List.of() : List.copyOf(users);
    demoAgentSecret = demoAgentSecret == null ? "" : demoAgentSecret;
    accessTokenTimeToLive = accessTokenTimeToLive == null ? Duration.ofMinutes(5) : accessTokenTimeToLive;
    refreshTokenTimeToLive = refreshTokenTimeToLive == null ? Duration.ofHours(8) : refreshTokenTimeToLive;
  }

  /** A user set by configuration: its password is never printed. */
  public record User(String username, String password, List<String> roles) {

    public User {
      if (username == null || username.isBlank()) {
        throw new IllegalArgumentException("engine.identity.embedded.users[].username is required");
      }
      if (password == null || password.length() < 12) {
        throw new IllegalArgumentException("engine.identity.embedded.users[] for " + username
            + " needs a password of at least 12 characters");
      }
      roles = roles == null ? List.of() : List.copyOf(roles);
    }

    @Override
    public String toString() {
      return "User[username=" + username + ", password=(redacted), roles=" + roles + "]";
    }
  }

  @Override
  public String toString() {
    return "EmbeddedIdentityProperties[enabled=" + enabled + ", issuer=" + issuer + ", keyDir=" + keyDir
        + ", redirectUris=" + redirectUris + ", users=" + users + ", demoAgentSecret=(redacted)]";
  }

  private static String stripTrailingSlash(String uri) {
    return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
  }
}
