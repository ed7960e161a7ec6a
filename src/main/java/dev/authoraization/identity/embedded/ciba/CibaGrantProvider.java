package dev.authoraization.identity.embedded.ciba;

import dev.authoraization.approval.ciba.DenyReasons;
import dev.authoraization.identity.embedded.ciba.BackchannelRequest.State;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.ClaimAccessor;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2Token;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.security.oauth2.core.oidc.endpoint.OidcParameterNames;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AccessTokenAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.context.AuthorizationServerContextHolder;
import org.springframework.security.oauth2.server.authorization.token.DefaultOAuth2TokenContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * The token endpoint's answer to a CIBA poll (CIBA Core 10.1 and 11): {@code authorization_pending}
 * while the approver has not answered, {@code slow_down} for a poll sooner than the interval,
 * {@code access_denied}, {@code expired_token}, and once approved an access token and an ID token
 * for the approver, made by the provider's own token generator (nothing signed by hand). An
 * {@code auth_req_id} is bound to the client that obtained it and redeems once; a second
 * redemption, another client's id or an unknown one is {@code invalid_grant}.
 */
final class CibaGrantProvider implements AuthenticationProvider {

  static final OAuth2TokenType ID_TOKEN = new OAuth2TokenType(OidcParameterNames.ID_TOKEN);
  // CIBA Core 11 (RFC 8628 section 3.5 for the first three)
  static final String AUTHORIZATION_PENDING = "authorization_pending";
  static final String SLOW_DOWN = "slow_down";
  static final String EXPIRED_TOKEN = "expired_token";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final BackchannelRequests requests;
  private final OAuth2AuthorizationService authorizations;
  private final OAuth2TokenGenerator<? extends OAuth2Token> tokens;
  private final Clock clock;

  CibaGrantProvider(BackchannelRequests requests, OAuth2AuthorizationService authorizations,
      OAuth2TokenGenerator<? extends OAuth2Token> tokens, Clock clock) {
    this.requests = requests;
    this.authorizations = authorizations;
    this.tokens = tokens;
    this.clock = clock;
  }

  @Override
  public boolean supports(Class<?> authentication) {
    return CibaGrant.class.isAssignableFrom(authentication);
  }

  @Override
  public Authentication authenticate(Authentication authentication) {
    CibaGrant grant = (CibaGrant) authentication;
    if (!(grant.getPrincipal() instanceof OAuth2ClientAuthenticationToken client) || !client.isAuthenticated()
        || client.getRegisteredClient() == null) {
      throw error(OAuth2ErrorCodes.INVALID_CLIENT, "The client is not authenticated.");
    }
    RegisteredClient registered = client.getRegisteredClient();
    if (!registered.getAuthorizationGrantTypes().contains(CibaGrant.TYPE)) {
      throw error(OAuth2ErrorCodes.UNAUTHORIZED_CLIENT, "This client may not use the CIBA grant.");
    }
    // another client's auth_req_id looks exactly like an unknown one
    BackchannelRequest request = requests.find(grant.authReqId())
        .filter(r -> r.clientId().equals(registered.getClientId()))
        .orElseThrow(() -> error(OAuth2ErrorCodes.INVALID_GRANT, "Unknown auth_req_id."));
    Instant now = clock.instant();
    switch (request.state()) {
      case REDEEMED -> throw error(OAuth2ErrorCodes.INVALID_GRANT, "This auth_req_id was already redeemed.");
      case DENIED -> throw error(OAuth2ErrorCodes.ACCESS_DENIED, denied(request));
      case PENDING -> {
        if (request.expired(now)) {
          throw error(EXPIRED_TOKEN, "The approver did not answer in time.");
        }
        boolean early = request.lastPollAt().map(last -> now.isBefore(last.plus(request.interval()))).orElse(false);
        requests.polled(request.authReqId());
        throw early ? error(SLOW_DOWN, "Poll at most once per interval.")
            : error(AUTHORIZATION_PENDING, "The approver has not answered yet.");
      }
      case APPROVED -> {
        if (request.expired(now)) {
          throw error(EXPIRED_TOKEN, "The auth_req_id expired before it was redeemed.");
        }
        if (!requests.redeem(request.authReqId())) {
          throw error(OAuth2ErrorCodes.INVALID_GRANT, "This auth_req_id was already redeemed.");
        }
        return issue(grant.with(request), client, registered, request);
      }
    }
    throw new IllegalStateException("unreachable");
  }

  private Authentication issue(CibaGrant grant, OAuth2ClientAuthenticationToken client, RegisteredClient registered,
      BackchannelRequest request) {
    Set<String> scopes = Arrays.stream(request.scope().split(" ")).filter(s -> !s.isEmpty())
        .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
    Authentication approver = UsernamePasswordAuthenticationToken.authenticated(request.loginHint(), null, List.of());
    DefaultOAuth2TokenContext.Builder context = DefaultOAuth2TokenContext.builder()
        .registeredClient(registered).principal(approver)
        .authorizationServerContext(AuthorizationServerContextHolder.getContext())
        .authorizedScopes(scopes).authorizationGrantType(CibaGrant.TYPE).authorizationGrant(grant);

    OAuth2Token generated = tokens.generate(context.tokenType(OAuth2TokenType.ACCESS_TOKEN).build());
    if (generated == null) {
      throw error(OAuth2ErrorCodes.SERVER_ERROR, "The access token could not be generated.");
    }
    OAuth2AccessToken access = new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, generated.getTokenValue(),
        generated.getIssuedAt(), generated.getExpiresAt(), scopes);
    OAuth2Authorization.Builder authorization = OAuth2Authorization.withRegisteredClient(registered)
        .principalName(request.loginHint()).authorizationGrantType(CibaGrant.TYPE).authorizedScopes(scopes);
    if (generated instanceof ClaimAccessor claims) {
      authorization.token(access, metadata -> metadata.put(OAuth2Authorization.Token.CLAIMS_METADATA_NAME,
          claims.getClaims()));
    } else {
      authorization.accessToken(access);
    }

    OAuth2Token id = tokens.generate(context.tokenType(ID_TOKEN).authorization(authorization.build()).build());
    if (!(id instanceof ClaimAccessor idClaims)) {
      throw error(OAuth2ErrorCodes.SERVER_ERROR, "The ID token could not be generated.");
    }
    OidcIdToken idToken = new OidcIdToken(id.getTokenValue(), id.getIssuedAt(), id.getExpiresAt(), idClaims.getClaims());
    // the access token is kept (revocation, userinfo); the ID token is handed out only
    authorizations.save(authorization.build());

    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put(OidcParameterNames.ID_TOKEN, idToken.getTokenValue());
    details(request).ifPresent(d -> extra.put("authorization_details", d));
    return new OAuth2AccessTokenAuthenticationToken(registered, client, access, null, extra);
  }

  /**
   * The {@code error_description} of a deny: the approver's reason, when they typed one on the
   * device, in the form the CIBA client reads back ({@link DenyReasons}).
   */
  static String denied(BackchannelRequest request) {
    String reason = "";
    try {
      reason = JSON.readTree(request.evidence()).path("reason").asString("");
    } catch (RuntimeException unreadable) {
      // no reason then: the deny itself stands
    }
    return reason.isBlank() ? "The approver denied the request." : DenyReasons.errorDescription(reason);
  }

  /** The granted {@code authorization_details} (RFC 9396 section 7), as the client sent them. */
  static Optional<Object> details(BackchannelRequest request) {
    Object parsed = JSON.readValue(request.authorizationDetails(), Object.class);
    return parsed instanceof List<?> list && !list.isEmpty() ? Optional.of(list) : Optional.empty();
  }

  private static OAuth2AuthenticationException error(String code, String description) {
    return new OAuth2AuthenticationException(new OAuth2Error(code, description, null));
  }
}
