package dev.authoraization.credential.githubapp;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/** A GitHub App key pair made at test time, and the check GitHub makes of an App JWT. */
public final class TestAppKey {

  static final String APP_ID = "123456";
  static final KeyPair PAIR = generate();

  private TestAppKey() {}

  private static KeyPair generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static AppKeySource source() {
    return () -> (RSAPrivateKey) PAIR.getPrivate();
  }

  public static String pkcs8Pem() {
    return "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(PAIR.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
  }

  /**
   * The claims of an {@code Authorization: Bearer} App JWT when it is RS256, signed by the App's
   * key, issued by the App, already valid at {@code now} and expiring within 10 minutes of it.
   */
  static Optional<JWTClaimsSet> verify(String authorization, Instant now) {
    if (authorization == null || !authorization.startsWith("Bearer ")) {
      return Optional.empty();
    }
    try {
      SignedJWT jwt = SignedJWT.parse(authorization.substring("Bearer ".length()));
      if (!jwt.getHeader().getAlgorithm().equals(JWSAlgorithm.RS256)
          || !jwt.verify(new RSASSAVerifier((RSAPublicKey) PAIR.getPublic()))) {
        return Optional.empty();
      }
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      Instant issued = claims.getIssueTime().toInstant();
      Instant expires = claims.getExpirationTime().toInstant();
      boolean valid = APP_ID.equals(claims.getIssuer())
          && !issued.isAfter(now)
          && expires.isAfter(now)
          && !expires.isAfter(now.plus(Duration.ofMinutes(10)))
          && Duration.between(issued, expires).compareTo(Duration.ofMinutes(10)) <= 0;
      return valid ? Optional.of(claims) : Optional.empty();
    } catch (ParseException | JOSEException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
