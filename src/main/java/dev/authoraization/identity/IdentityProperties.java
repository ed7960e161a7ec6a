package dev.authoraization.identity;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The OpenID Connect issuers whose bearer tokens the REST and MCP doors accept
 * ({@code engine.identity.issuers[n].*}).
 */
@ConfigurationProperties(prefix = "engine.identity")
public record IdentityProperties(List<Issuer> issuers) {

  public IdentityProperties {
    issuers = issuers == null ? List.of() : List.copyOf(issuers);
  }

  /**
   * One trusted issuer.
   *
   * @param uri the exact {@code iss} value
   * @param jwkSetUri where its signing keys are; empty means discover from the issuer
   * @param publicKeyLocation a PEM public key instead of a JWK set (development and tests)
   * @param audiences accepted {@code aud} values; at least one must be present in the token
   * @param rolesClaim where roles or groups are: a claim name or a dotted path
   *     ({@code realm_access.roles} for Keycloak, a namespaced claim for Auth0)
   * @param algorithms accepted JWS algorithms
   * @param clockSkew tolerance on {@code exp}, {@code nbf} and {@code iat}
   * @param keys how its discovery document and signing keys are fetched and kept
   */
  public record Issuer(String uri, String jwkSetUri, String publicKeyLocation, List<String> audiences,
      String rolesClaim, List<String> algorithms, Duration clockSkew, Keys keys) {

    public Issuer {
      if (uri == null || uri.isBlank()) {
        throw new IllegalArgumentException("engine.identity.issuers[].uri is required");
      }
      jwkSetUri = jwkSetUri == null ? "" : jwkSetUri;
      publicKeyLocation = publicKeyLocation == null ? "" : publicKeyLocation;
      audiences = audiences == null ? List.of() : List.copyOf(audiences);
      if (audiences.isEmpty()) {
        throw new IllegalArgumentException("engine.identity.issuers[] for " + uri
            + " needs at least one audience: tokens minted for other services must not be accepted");
      }
      rolesClaim = rolesClaim == null || rolesClaim.isBlank() ? "roles" : rolesClaim;
      algorithms = algorithms == null || algorithms.isEmpty() ? List.of("RS256", "ES256") : List.copyOf(algorithms);
      clockSkew = clockSkew == null ? Duration.ofSeconds(30) : clockSkew;
      keys = keys == null ? new Keys(null, null, null) : keys;
    }
  }

  /**
   * How an issuer's keys are fetched ({@code engine.identity.issuers[n].keys.*}).
   *
   * @param timeout how long fetching the discovery document or the JWKS may take (connect, and
   *     read) before the issuer counts as unavailable; 2 s
   * @param cache how long fetched keys are used without asking again (a token naming an unknown
   *     {@code kid} asks at once); 5 min
   * @param outageTolerance how long after their last successful fetch keys keep verifying tokens
   *     while the issuer cannot be reached; 15 min (zero: not at all)
   */
  public record Keys(Duration timeout, Duration cache, Duration outageTolerance) {

    public Keys {
      timeout = timeout == null ? Duration.ofSeconds(2) : timeout;
      cache = cache == null ? Duration.ofMinutes(5) : cache;
      outageTolerance = outageTolerance == null ? Duration.ofMinutes(15) : outageTolerance;
      if (timeout.isNegative() || timeout.isZero() || cache.isNegative() || cache.isZero()
          || outageTolerance.isNegative()) {
        throw new IllegalArgumentException("engine.identity.issuers[].keys: timeout and cache must be positive, "
            + "outage-tolerance zero or more");
      }
    }
  }
}
