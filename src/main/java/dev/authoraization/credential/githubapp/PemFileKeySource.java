package dev.authoraization.credential.githubapp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * The App's RSA private key from a PKCS#8 PEM file ({@code -----BEGIN PRIVATE KEY-----}, RFC 7468
 * section 10). GitHub hands out PKCS#1 ({@code BEGIN RSA PRIVATE KEY}); convert it once with
 * {@code openssl pkcs8 -topk8 -nocrypt -in app.pem -out app-pkcs8.pem}. Read once, at start-up.
 */
public final class PemFileKeySource implements AppKeySource {

  private final RSAPrivateKey key;

  public PemFileKeySource(Path file) {
    this.key = read(file);
  }

  @Override
  public RSAPrivateKey privateKey() {
    return key;
  }

  static RSAPrivateKey read(Path file) {
    String pem;
    try {
      pem = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read the GitHub App private key at " + file
          + " (engine.github.app.private-key-path): " + e.getClass().getSimpleName(), e);
    }
    return parse(pem, file.toString());
  }

  public static RSAPrivateKey parse(String pem, String where) {
    if (pem.contains("BEGIN RSA PRIVATE KEY")) {
      throw new IllegalStateException("The GitHub App private key at " + where + " is PKCS#1; convert it to PKCS#8 with "
          + "`openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem`.");
    }
    int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = pem.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      throw new IllegalStateException("The file at " + where + " holds no PKCS#8 PEM private key (BEGIN PRIVATE KEY).");
    }
    String base64 = pem.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end).replaceAll("\\s", "");
    try {
      byte[] der = Base64.getDecoder().decode(base64);
      return (RSAPrivateKey) KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (IllegalArgumentException | GeneralSecurityException | ClassCastException e) {
      // The exception's own message could quote key material: name only its type.
      throw new IllegalStateException("The GitHub App private key at " + where + " is not a valid RSA PKCS#8 key ("
          + e.getClass().getSimpleName() + ").");
    }
  }
}
