package dev.authoraization.identity.embedded.ciba;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.web.authentication.AuthenticationConverter;

/** The token endpoint's HTTP side of the CIBA grant (CIBA Core 10.1): form parameters to {@link CibaGrant}. */
final class CibaGrantConverter implements AuthenticationConverter {

  @Override
  public @Nullable Authentication convert(HttpServletRequest request) {
    if (!CibaGrant.TYPE.getValue().equals(request.getParameter("grant_type"))) {
      return null;
    }
    String[] ids = request.getParameterValues("auth_req_id");
    if (ids == null || ids.length != 1 || ids[0].isBlank()) {
      throw new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_REQUEST,
          "auth_req_id is required, once.", null));
    }
    // the client was authenticated by the token endpoint's client authentication filter
    Authentication client = SecurityContextHolder.getContext().getAuthentication();
    return new CibaGrant(ids[0], client, null);
  }
}
