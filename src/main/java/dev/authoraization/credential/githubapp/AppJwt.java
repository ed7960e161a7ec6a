package dev.authoraization.credential.githubapp;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * The JWT a GitHub App authenticates as itself with: RS256, {@code iat} 60 s in the past (clock
 * drift), {@code exp} at most 10 minutes ahead, {@code iss} the App id. See
 * <a href="https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app">Generating
 * a JWT for a GitHub App</a> and RFC 7519.
 */
final class AppJwt {

  static final Duration BACKDATE = Duration.ofSeconds(60);
  static final Duration LIFETIME = Duration.ofMinutes(9);

  private final String appId;
  private final AppKeySource keys;
  private final Clock clock;

  AppJwt(String appId, AppKeySource keys, Clock clock) {
    this.appId = appId;
    this.keys = keys;
    this.clock = clock;
  }

  String sign() {
    Instant now = clock.instant();
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(appId)
        .issueTime(Date.from(now.minus(BACKDATE)))
        .expirationTime(Date.from(now.plus(LIFETIME)))
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims);
    try {
      jwt.sign(new RSASSASigner(keys.privateKey()));
    } catch (JOSEException e) {
      throw new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE, "The GitHub App JWT could not be signed.");
    }
    return jwt.serialize();
  }
}
