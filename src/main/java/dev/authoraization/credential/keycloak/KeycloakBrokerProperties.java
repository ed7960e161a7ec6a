package dev.authoraization.credential.keycloak;

import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where the Keycloak vault reads users' stored broker tokens ({@code engine.credentials.keycloak.*}),
 * used when {@code engine.github.credentials=keycloak}. {@link #validate()} runs once when the vault
 * is built.
 *
 * @param issuer the realm, exactly as its tokens' {@code iss} ({@code https://HOST/realms/REALM}); only
 *     callers vouched for by this realm get a token
 * @param alias the identity provider's alias in that realm (it must have "Store tokens" on)
 * @param refreshMargin a cached token is read again this long before it expires
 * @param tokenHold how long a stored token that names no expiry is cached
 * @param httpTimeout connect and response timeout of every call to Keycloak
 */
@ConfigurationProperties("engine.credentials.keycloak")
public record KeycloakBrokerProperties(String issuer, String alias, Duration refreshMargin, Duration tokenHold,
    Duration httpTimeout) {

  public KeycloakBrokerProperties {
    issuer = issuer == null ? "" : issuer.trim();
    alias = alias == null || alias.isBlank() ? "github" : alias.trim();
    refreshMargin = refreshMargin == null ? Duration.ofSeconds(30) : refreshMargin;
    tokenHold = tokenHold == null ? Duration.ofMinutes(5) : tokenHold;
    httpTimeout = httpTimeout == null ? Duration.ofSeconds(10) : httpTimeout;
  }

  /** Refuses an incomplete configuration, naming the property to set. */
  public KeycloakBrokerProperties validate() {
    if (issuer.isEmpty()) {
      throw new IllegalStateException("engine.github.credentials=keycloak needs engine.credentials.keycloak.issuer "
          + "(the realm URL, e.g. https://sso.example.com/realms/engine).");
    }
    if (!alias.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalStateException("engine.credentials.keycloak.alias '" + alias
          + "' is not an identity provider alias (letters, digits, '.', '_' and '-').");
    }
    URI.create(issuer);
    return this;
  }

  URI tokenEndpoint() {
    String realm = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    return URI.create(realm + "/broker/" + alias + "/token");
  }
}
