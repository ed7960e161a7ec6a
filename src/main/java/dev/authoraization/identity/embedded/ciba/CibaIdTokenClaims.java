package dev.authoraization.identity.embedded.ciba;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the ID token of a CIBA grant says besides the usual claims (CIBA Core 10.2, OpenID Connect
 * Core 2): {@code auth_time} is when the approver answered on the device, {@code amr} how
 * ({@code hwk} and {@code user} for a passkey, {@code pwd} for the password-only demo),
 * {@code authorization_details} the action approved (RFC 9396), and {@code approval_evidence}
 * what the device verified (the signed passkey assertion), so the token carries its own proof.
 */
public final class CibaIdTokenClaims implements OAuth2TokenCustomizer<JwtEncodingContext> {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Override
  public void customize(JwtEncodingContext context) {
    if (!CibaGrantProvider.ID_TOKEN.equals(context.getTokenType())
        || !(context.getAuthorizationGrant() instanceof CibaGrant grant) || grant.request().isEmpty()) {
      return;
    }
    BackchannelRequest request = grant.request().get();
    // seconds, as OpenID Connect Core 2 says (Nimbus would not convert an Instant here)
    request.decidedAt().ifPresent(at -> context.getClaims().claim("auth_time", at.getEpochSecond()));
    Map<?, ?> evidence = JSON.readValue(request.evidence(), Map.class);
    boolean passkey = "passkey".equals(evidence.get("channel"));
    context.getClaims().claim("amr", new ArrayList<>(passkey ? List.of("hwk", "user") : List.of("pwd")));
    if (!evidence.isEmpty()) {
      context.getClaims().claim("approval_evidence", evidence);
    }
    CibaGrantProvider.details(request).ifPresent(d -> context.getClaims().claim("authorization_details", d));
    if (!request.bindingMessage().isEmpty()) {
      context.getClaims().claim("binding_message", request.bindingMessage());
    }
  }
}
