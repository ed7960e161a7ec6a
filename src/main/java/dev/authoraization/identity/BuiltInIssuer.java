package dev.authoraization.identity;

import org.springframework.security.oauth2.jwt.JwtDecoder;

/**
 * An issuer served by this engine itself (the embedded OpenID provider): trusted automatically,
 * with its keys read in process rather than over HTTP.
 */
public interface BuiltInIssuer {

  IdentityProperties.Issuer issuer();

  JwtDecoder decoder();
}
