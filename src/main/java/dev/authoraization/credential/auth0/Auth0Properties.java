package dev.authoraization.credential.auth0;

import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where the Auth0 vault fetches users' GitHub tokens ({@code engine.credentials.auth0.*}), used
 * when {@code engine.github.credentials=auth0}. Bound even when unused, so nothing here throws;
 * {@link #validate()} runs once when the vault is built.
 *
 * @param domain the tenant, {@code https://TENANT.auth0.com} (or a custom domain); a bare host
 *     name means https
 * @param issuer the {@code iss} of the tenant's access tokens; empty means {@code domain + "/"}.
 *     Only callers vouched for by this issuer get a token: their subject is an Auth0 user id.
 * @param clientId the application that exchanges tokens (Token Vault: a Custom API Client with the
 *     Token Vault grant; Management API: a machine-to-machine application with
 *     {@code read:users read:user_idp_tokens})
 * @param clientSecret that application's secret
 * @param connection the Auth0 connection holding the GitHub account
 * @param mode {@code token-vault} (default) or {@code management-api} for tenants without Token Vault
 * @param refreshMargin a cached token is fetched again this long before it expires
 * @param identityTokenHold how long a token from the Management API is cached (it names no expiry)
 * @param httpTimeout connect and response timeout of every call to Auth0
 */
@ConfigurationProperties("engine.credentials.auth0")
public record Auth0Properties(String domain, String issuer, String clientId, String clientSecret,
    String connection, Mode mode, Duration refreshMargin, Duration identityTokenHold, Duration httpTimeout) {

  /** How the vault reaches the user's GitHub token. */
  public enum Mode { TOKEN_VAULT, MANAGEMENT_API }

  public Auth0Properties {
    domain = domain == null ? "" : strip(domain.trim());
    if (!domain.isEmpty() && !domain.contains("://")) {
      domain = "https://" + domain;
    }
    issuer = issuer == null || issuer.isBlank() ? (domain.isEmpty() ? "" : domain + "/") : issuer.trim();
    clientId = clientId == null ? "" : clientId;
    clientSecret = clientSecret == null ? "" : clientSecret;
    connection = connection == null || connection.isBlank() ? "github" : connection;
    mode = mode == null ? Mode.TOKEN_VAULT : mode;
    refreshMargin = refreshMargin == null ? Duration.ofSeconds(60) : refreshMargin;
    identityTokenHold = identityTokenHold == null ? Duration.ofMinutes(5) : identityTokenHold;
    httpTimeout = httpTimeout == null ? Duration.ofSeconds(10) : httpTimeout;
  }

  /** Refuses an incomplete configuration, naming the property to set. */
  public Auth0Properties validate() {
    if (domain.isEmpty()) {
      throw new IllegalStateException("engine.github.credentials=auth0 needs engine.credentials.auth0.domain "
          + "(your tenant, e.g. https://example.eu.auth0.com).");
    }
    URI.create(domain);
    if (clientId.isEmpty() || clientSecret.isEmpty()) {
      throw new IllegalStateException("engine.github.credentials=auth0 needs engine.credentials.auth0.client-id and "
          + "client-secret (for token-vault: a Custom API Client with the Token Vault grant; for management-api: "
          + "a machine-to-machine application allowed read:users and read:user_idp_tokens).");
    }
    return this;
  }

  URI tokenEndpoint() {
    return URI.create(domain + "/oauth/token");
  }

  String managementAudience() {
    return domain + "/api/v2/";
  }

  private static String strip(String value) {
    return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
  }

  @Override
  public String toString() {
    return "Auth0Properties[domain=" + domain + ", clientId=" + clientId + ", clientSecret=[redacted], connection="
        + connection + ", mode=" + mode + "]";
  }
}
