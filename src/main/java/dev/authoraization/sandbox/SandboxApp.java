package dev.authoraization.sandbox;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox's one GitHub App (id 1, installation 1 on {@code demo}) and its personal access
 * token. The App's RSA key pair is generated at first start; the private key is written as PKCS#8
 * PEM, readable by the owner only, so the engine's GitHub App credential code can sign App JWTs
 * with it exactly as it would with a key downloaded from GitHub.
 *
 * @see <a href="https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app">Generating a JWT for a GitHub App</a>
 */
public final class SandboxApp {

  public static final long APP_ID = 1;
  public static final long INSTALLATION_ID = 1;
  public static final String OWNER = "demo";
  public static final String APP_SLUG = "authoraization-sandbox";

  private static final Logger log = LoggerFactory.getLogger(SandboxApp.class);
  private static final String BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  /** GitHub rejects App JWTs that live longer than ten minutes. */
  private static final Duration MAX_JWT_LIFETIME = Duration.ofMinutes(10);
  /** GitHub tolerates some clock drift on {@code iat}; so do we. */
  private static final Duration CLOCK_SKEW = Duration.ofSeconds(60);

  private final Path privateKeyPath;
  /**
   * Done at once when the key exists; at first start, generated on its own thread while the rest
   * of the engine starts (an RSA key pair costs a cold JVM about a second of CPU).
   */
  private final CompletableFuture<RSAPublicKey> publicKey;
  private final byte[] personalTokenHash;
  private final Path personalTokenPath;
  private final Clock clock;
  private static final SecureRandom RANDOM = new SecureRandom();

  SandboxApp(SandboxProperties properties, Clock clock) {
    this.clock = clock;
    Path dir = properties.dataDir();
    try {
      Files.createDirectories(dir);
      this.privateKeyPath = dir.resolve("app-private-key.pem").toAbsolutePath().normalize();
      Path publicKeyPath = dir.resolve("app-public-key.pem");
      this.publicKey = Files.exists(privateKeyPath)
          ? CompletableFuture.completedFuture(loadOrCreateKeys(privateKeyPath, publicKeyPath))
          : CompletableFuture.supplyAsync(() -> create(privateKeyPath, publicKeyPath),
              job -> Thread.ofPlatform().daemon().name("sandbox-app-key").start(job));
      this.personalTokenPath = dir.resolve("personal-token").toAbsolutePath().normalize();
      String pat = properties.personalToken().isBlank()
          ? loadOrCreatePersonalToken(personalTokenPath)
          : properties.personalToken().strip();
      this.personalTokenHash = sha256(pat);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the sandbox GitHub App in " + dir, e);
    }
  }

  /**
   * Where the App's private key (PKCS#8 PEM) is: {@code engine.github.app.private-key-path}. Waits
   * for the key to be written when it is still being generated.
   */
  public Path privateKeyPath() {
    awaitKey();
    return privateKeyPath;
  }

  /** Returns once the App's key pair exists on disk; fails as the constructor would have. */
  public void awaitKey() {
    publicKey();
  }

  private RSAPublicKey publicKey() {
    try {
      return publicKey.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException failure ? failure : e;
    }
  }

  private static RSAPublicKey create(Path privatePath, Path publicPath) {
    try {
      return loadOrCreateKeys(privatePath, publicPath);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the sandbox GitHub App key to " + privatePath, e);
    }
  }

  /** Where the generated personal access token is kept (when none is configured). */
  public Path personalTokenPath() {
    return personalTokenPath;
  }

  boolean isPersonalToken(String token) {
    return MessageDigest.isEqual(personalTokenHash, sha256(token));
  }

  /**
   * Verifies an App JWT as GitHub does: RS256 signed by the App's key, {@code iss} = the App id,
   * {@code exp} in the future and at most ten minutes after {@code iat}.
   *
   * @throws SandboxError 401 for anything else
   */
  void verifyAppJwt(String jwt) {
    try {
      SignedJWT signed = SignedJWT.parse(jwt);
      if (!JWSAlgorithm.RS256.equals(signed.getHeader().getAlgorithm())
          || !signed.verify(new RSASSAVerifier(publicKey()))) {
        throw jwtError("'Authorization' header is not a valid JWT signed by this App");
      }
      // Read as plain JSON, not as a JWTClaimsSet: GitHub clients send "iss" as a number
      // (octokit) or a string (most others), and GitHub accepts both.
      Map<String, Object> claims = signed.getPayload().toJSONObject();
      Object iss = claims == null ? null : claims.get("iss");
      if (iss == null || !issuerText(iss).equals(String.valueOf(APP_ID))) {
        throw jwtError("'Issuer' claim ('iss') must be an App id");
      }
      Instant exp = seconds(claims.get("exp"));
      Instant iat = seconds(claims.get("iat"));
      Instant now = clock.instant();
      if (exp == null || iat == null) {
        throw jwtError("'Expiration time' and 'Issued at' claims are required");
      }
      if (!exp.isAfter(now)) {
        throw jwtError("'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires");
      }
      if (iat.isAfter(now.plus(CLOCK_SKEW))) {
        throw jwtError("'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued");
      }
      if (Duration.between(iat, exp).compareTo(MAX_JWT_LIFETIME) > 0) {
        throw jwtError("'Expiration time' claim ('exp') is too far in the future");
      }
    } catch (ParseException | JOSEException e) {
      throw jwtError("A JSON web token could not be decoded");
    }
  }

  private static String issuerText(Object iss) {
    return iss instanceof Number n && n.doubleValue() == n.longValue() ? String.valueOf(n.longValue()) : String.valueOf(iss);
  }

  private static @Nullable Instant seconds(@Nullable Object value) {
    return value instanceof Number n ? Instant.ofEpochSecond(n.longValue()) : null;
  }

  private static SandboxError jwtError(String message) {
    return new SandboxError(401, message);
  }

  /** A random token: prefix plus base62 characters from a {@link SecureRandom}. */
  static String randomToken(String prefix, int length) {
    StringBuilder sb = new StringBuilder(prefix);
    for (int i = 0; i < length; i++) {
      sb.append(BASE62.charAt(RANDOM.nextInt(BASE62.length())));
    }
    return sb.toString();
  }

  static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }

  private static RSAPublicKey loadOrCreateKeys(Path privatePath, Path publicPath) throws IOException {
    try {
      KeyFactory rsa = KeyFactory.getInstance("RSA");
      if (Files.exists(privatePath)) {
        String pem = Files.readString(privatePath, StandardCharsets.US_ASCII);
        byte[] der = Base64.getMimeDecoder().decode(pem
            .replace("-----BEGIN PRIVATE KEY-----", "")
            .replace("-----END PRIVATE KEY-----", ""));
        var privateKey = (RSAPrivateCrtKey) rsa.generatePrivate(new PKCS8EncodedKeySpec(der));
        // The public key is derived, never trusted from the file beside it.
        return (RSAPublicKey) rsa.generatePublic(
            new RSAPublicKeySpec(privateKey.getModulus(), privateKey.getPublicExponent()));
      }
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048, RANDOM);
      KeyPair pair = generator.generateKeyPair();
      writeOwnerOnly(privatePath, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
      Files.writeString(publicPath, pem("PUBLIC KEY", pair.getPublic().getEncoded()),
          StandardCharsets.US_ASCII);
      log.info("Sandbox GitHub App private key written to {}", privatePath);
      return (RSAPublicKey) pair.getPublic();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot load or create the sandbox App key in " + privatePath, e);
    }
  }

  private static String loadOrCreatePersonalToken(Path path) throws IOException {
    if (Files.exists(path)) {
      return Files.readString(path, StandardCharsets.US_ASCII).strip();
    }
    String token = randomToken("ghp_", 36);
    writeOwnerOnly(path, token + "\n");
    log.info("Sandbox personal access token written to {}", path);
    return token;
  }

  /** Creates the file with rw------- from the start, so the secret is never readable by others. */
  private static void writeOwnerOnly(Path path, String content) throws IOException {
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.createFile(path, PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(path);
    }
    Files.writeString(path, content, StandardCharsets.US_ASCII);
  }

  private static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }
}
