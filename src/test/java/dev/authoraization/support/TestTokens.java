package dev.authoraization.support;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * A test issuer: an RSA key generated once per test JVM (never committed), its public key
 * written to a temporary PEM file the engine is configured to trust, and tokens minted with it.
 */
public final class TestTokens {

  public static final String ISSUER = "https://issuer.test";
  public static final String AUDIENCE = "authoraization-engine";
  private static final KeyPair KEYS = generate();
  private static final Path PUBLIC_KEY = writePublicKey();

  private TestTokens() {}

  public static String publicKeyLocation() {
    return PUBLIC_KEY.toUri().toString();
  }

  /** A valid access token for {@code subject} with {@code roles}. */
  public static String token(String subject, String... roles) {
    return sign(claims(subject, roles).build());
  }

  /**
   * Claims valid for an hour: tests keep tokens in static fields, and on a loaded machine a class's
   * Spring context (or Keycloak) can take minutes to start before the first request.
   */
  public static JWTClaimsSet.Builder claims(String subject, String... roles) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder().issuer(ISSUER).subject(subject).audience(AUDIENCE)
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(3600)))
        .jwtID(UUID.randomUUID().toString()).claim("roles", List.of(roles));
  }

  public static String sign(JWTClaimsSet claims) {
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("test-key").build(), claims);
      jwt.sign(new RSASSASigner(KEYS.getPrivate()));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Signs {@code claims} as a stub provider holding {@code key} would: RS256, its key id, type JWT. */
  public static String sign(RSAKey key, JWTClaimsSet claims) {
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
          .type(JOSEObjectType.JWT).build(), claims);
      jwt.sign(new RSASSASigner(key));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path writePublicKey() {
    try {
      Path file = Files.createTempFile("test-issuer", ".pem");
      file.toFile().deleteOnExit();
      String pem = "-----BEGIN PUBLIC KEY-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(KEYS.getPublic().getEncoded())
          + "\n-----END PUBLIC KEY-----\n";
      Files.writeString(file, pem);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
