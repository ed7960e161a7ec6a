package dev.authoraization.identity.embedded.ciba;

import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationGrantAuthenticationToken;

/**
 * A token request with the CIBA grant (CIBA Core 10.1): {@code grant_type=urn:openid:params:grant-type:ciba}
 * and the {@code auth_req_id}. Once the provider has found the backchannel request, it rides along,
 * so the ID token customizer can read what the approver approved.
 */
public final class CibaGrant extends OAuth2AuthorizationGrantAuthenticationToken {

  public static final AuthorizationGrantType TYPE = new AuthorizationGrantType("urn:openid:params:grant-type:ciba");

  private final String authReqId;
  private final transient @Nullable BackchannelRequest request;

  CibaGrant(String authReqId, Authentication client, @Nullable BackchannelRequest request) {
    super(TYPE, client, Map.of());
    this.authReqId = authReqId;
    this.request = request;
  }

  String authReqId() {
    return authReqId;
  }

  /** The backchannel request being redeemed, once found. */
  public Optional<BackchannelRequest> request() {
    return Optional.ofNullable(request);
  }

  CibaGrant with(BackchannelRequest found) {
    return new CibaGrant(authReqId, (Authentication) getPrincipal(), found);
  }
}
