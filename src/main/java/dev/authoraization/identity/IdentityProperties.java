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
   */
  public record Issuer(String uri, String jwkSetUri, String publicKeyLocation, List<String> audiences,
      String rolesClaim, List<String> algorithms, Duration clockSkew) {

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
    }
  }
}
