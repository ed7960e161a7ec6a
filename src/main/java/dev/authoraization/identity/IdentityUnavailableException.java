package dev.authoraization.identity;

import org.springframework.security.core.AuthenticationException;

/**
 * A bearer token could not be checked because its issuer (discovery or JWKS) was down, slow or
 * answering errors. The REST door answers 503 naming the identity provider, not 401: the caller's
 * token may be fine, and nothing was run.
 */
public class IdentityUnavailableException extends AuthenticationException {

  /** A short pause: key fetches are cheap, and the issuer's own outage length is unknown. */
  public static final long RETRY_AFTER_SECONDS = 5;

  public IdentityUnavailableException(String issuer, Throwable cause) {
    super("identity provider unavailable: the signing keys of issuer " + issuer
        + " could not be fetched, so the token was not checked and nothing was executed; retry after "
        + RETRY_AFTER_SECONDS + " s.", cause);
  }
}
