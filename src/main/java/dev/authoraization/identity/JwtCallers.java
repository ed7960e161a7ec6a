package dev.authoraization.identity;

import dev.authoraization.call.Caller;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * Pipeline stage 1: a {@link Caller} from a token whose signature, issuer, audience and times
 * have already been verified.
 */
public final class JwtCallers {

  private JwtCallers() {}

  /**
   * @param rolesClaim a claim name or dotted path to a list (or space-separated string) of roles.
   *     A claim whose whole name matches wins over a path, so Auth0's namespaced claims
   *     ({@code https://authoraization.dev/roles}, dots and slashes included) work as well as
   *     Keycloak's nested {@code realm_access.roles}.
   */
  public static Caller caller(Jwt jwt, String rolesClaim) {
    String issuer = jwt.getIssuer() == null ? "" : jwt.getIssuer().toString();
    Optional<String> agent = Optional.ofNullable(jwt.getClaimAsString("azp"))
        .or(() -> Optional.ofNullable(jwt.getClaimAsString("client_id")))
        .filter(client -> !client.equals(jwt.getSubject()));
    return new Caller(jwt.getSubject(), issuer, roles(jwt.getClaims(), rolesClaim), agent);
  }

  static Set<String> roles(Map<String, Object> claims, String path) {
    Object value = claims.containsKey(path) ? claims.get(path) : nested(claims, path);
    Set<String> roles = new LinkedHashSet<>();
    if (value instanceof Collection<?> list) {
      list.forEach(role -> roles.add(String.valueOf(role)));
    } else if (value instanceof String text) {
      for (String role : text.trim().split("\\s+")) {
        if (!role.isEmpty()) {
          roles.add(role);
        }
      }
    }
    return roles;
  }

  private static @Nullable Object nested(Map<String, Object> claims, String path) {
    Object value = claims;
    for (String part : path.split("\\.")) {
      if (!(value instanceof Map<?, ?> map)) {
        return null;
      }
      value = map.get(part);
    }
    return value;
  }
}
