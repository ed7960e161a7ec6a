package dev.authoraization.identity.embedded;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;

/**
 * Makes access tokens what the REST door expects (RFC 9068 style): {@code aud} is the engine's
 * resource identifier, {@code roles} the caller's roles. A user's roles are read from the database
 * on every issue and refresh, so a role change or a disabled user takes effect at the next refresh;
 * a client's roles come from its registration.
 */
final class EngineTokenCustomizer implements OAuth2TokenCustomizer<JwtEncodingContext> {

  private final EmbeddedUsers users;

  EngineTokenCustomizer(EmbeddedUsers users) {
    this.users = users;
  }

  @Override
  public void customize(JwtEncodingContext context) {
    if (!OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
      return;
    }
    List<String> roles;
    if (AuthorizationGrantType.CLIENT_CREDENTIALS.equals(context.getAuthorizationGrantType())) {
      roles = context.getRegisteredClient().getClientSettings().getSetting(FirstStart.CLIENT_ROLES) instanceof String r
          ? Arrays.stream(r.trim().split("\\s+")).filter(role -> !role.isEmpty()).toList()
          : List.of();
    } else {
      roles = users.roles(context.getPrincipal().getName()).orElseThrow(() -> new OAuth2AuthenticationException(
          new OAuth2Error(OAuth2ErrorCodes.INVALID_GRANT, "The user no longer exists or is disabled.", null)));
    }
    // ArrayList, not List.of: the claims are stored with the authorization and read back through
    // SAS's Jackson allowlist, which admits java.util.ArrayList but not the JDK's immutable lists.
    context.getClaims()
        .audience(new ArrayList<>(List.of(EmbeddedOpenIdProvider.AUDIENCE)))
        .claim(EmbeddedOpenIdProvider.ROLES_CLAIM, new ArrayList<>(roles));
  }
}
