package dev.authoraization.identity.embedded;

import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.crypto.keygen.Base64StringKeyGenerator;
import org.springframework.security.crypto.keygen.StringKeyGenerator;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.token.OAuth2RefreshTokenGenerator;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenGenerator;
import org.springframework.security.web.authentication.AuthenticationConverter;

/**
 * Refresh tokens for the public client {@code engine-web}. Spring Authorization Server issues
 * them only to confidential clients; OAuth 2.1 (draft-ietf-oauth-v2-1, section 4.3.1) allows them
 * for public clients when they are rotated on every use, which the clients' token settings do
 * ({@code reuseRefreshTokens=false}). Three small extension points of SAS make that work: a
 * generator that also mints refresh tokens for public clients, and a client-authentication
 * converter and provider that accept a public client's {@code client_id} on a refresh request.
 * The refresh itself (token lookup, client binding, rotation) stays SAS's own provider.
 */
final class PublicClientRefresh {

  private PublicClientRefresh() {}

  /** SAS's generator first; a rotated refresh token for a public client where SAS declines. */
  static final class TokenGenerator implements OAuth2TokenGenerator<OAuth2RefreshToken> {
    private final OAuth2RefreshTokenGenerator standard = new OAuth2RefreshTokenGenerator();
    // 96 random bytes, the same strength SAS uses for its own refresh tokens.
    private final StringKeyGenerator values = new Base64StringKeyGenerator(Base64.getUrlEncoder().withoutPadding(), 96);

    @Override
    public @Nullable OAuth2RefreshToken generate(OAuth2TokenContext context) {
      if (!OAuth2TokenType.REFRESH_TOKEN.equals(context.getTokenType())) {
        return null;
      }
      OAuth2RefreshToken token = standard.generate(context);
      if (token != null || !context.getRegisteredClient().getClientAuthenticationMethods()
          .contains(ClientAuthenticationMethod.NONE)) {
        return token;
      }
      Instant issuedAt = Instant.now();
      return new OAuth2RefreshToken(values.generateKey(), issuedAt,
          issuedAt.plus(context.getRegisteredClient().getTokenSettings().getRefreshTokenTimeToLive()));
    }
  }

  /** {@code grant_type=refresh_token} with a lone {@code client_id} and no client credentials. */
  static final class Converter implements AuthenticationConverter {
    @Override
    public @Nullable Authentication convert(HttpServletRequest request) {
      if (!"POST".equals(request.getMethod())
          || !AuthorizationGrantType.REFRESH_TOKEN.getValue().equals(request.getParameter(OAuth2ParameterNames.GRANT_TYPE))
          || request.getHeader(HttpHeaders.AUTHORIZATION) != null
          || request.getParameter(OAuth2ParameterNames.CLIENT_SECRET) != null
          || request.getParameter(OAuth2ParameterNames.CLIENT_ASSERTION) != null) {
        return null;
      }
      String[] clientIds = request.getParameterValues(OAuth2ParameterNames.CLIENT_ID);
      if (clientIds == null || clientIds.length != 1 || clientIds[0].isBlank()) {
        return null;
      }
      return new OAuth2ClientAuthenticationToken(clientIds[0], ClientAuthenticationMethod.NONE, null,
          Map.of(OAuth2ParameterNames.GRANT_TYPE, AuthorizationGrantType.REFRESH_TOKEN.getValue()));
    }
  }

  /** Authenticates such a request only for a registered public client allowed to refresh. */
  static final class Provider implements AuthenticationProvider {
    private final RegisteredClientRepository clients;

    Provider(RegisteredClientRepository clients) {
      this.clients = clients;
    }

    @Override
    public @Nullable Authentication authenticate(Authentication authentication) {
      OAuth2ClientAuthenticationToken request = (OAuth2ClientAuthenticationToken) authentication;
      if (!ClientAuthenticationMethod.NONE.equals(request.getClientAuthenticationMethod())
          || !AuthorizationGrantType.REFRESH_TOKEN.getValue()
              .equals(request.getAdditionalParameters().get(OAuth2ParameterNames.GRANT_TYPE))) {
        return null; // not ours: PKCE token requests go to SAS's PublicClientAuthenticationProvider
      }
      RegisteredClient client = clients.findByClientId(String.valueOf(request.getPrincipal()));
      if (client == null || !client.getClientAuthenticationMethods().contains(ClientAuthenticationMethod.NONE)
          || !client.getAuthorizationGrantTypes().contains(AuthorizationGrantType.REFRESH_TOKEN)) {
        throw new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_CLIENT,
            "Client authentication failed: " + OAuth2ParameterNames.CLIENT_ID, null));
      }
      return new OAuth2ClientAuthenticationToken(client, ClientAuthenticationMethod.NONE, null);
    }

    @Override
    public boolean supports(Class<?> authentication) {
      return OAuth2ClientAuthenticationToken.class.isAssignableFrom(authentication);
    }
  }
}
