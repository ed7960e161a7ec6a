package dev.authoraization.sandbox;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A stand-in GitHub client on {@code java.net.http}: it signs App JWTs with a PKCS#8 key file,
 * sends GitHub's headers, and checks every answer against GitHub's description.
 */
final class SandboxHttp {

  static final JsonMapper JSON = JsonMapper.builder().build();

  private final HttpClient http = HttpClient.newHttpClient();
  private final String base;

  SandboxHttp(String base) {
    this.base = base;
  }

  String base() {
    return base;
  }

  HttpResponse<String> send(String method, String path, String token, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
        .header("Accept", "application/vnd.github+json")
        .header("X-GitHub-Api-Version", "2022-11-28")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    try {
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      GitHubContract.assertValid(method, path, response);
      return response;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<String> get(String path, String token) {
    return send("GET", path, token, null);
  }

  static JsonNode json(HttpResponse<String> response) {
    return JSON.readTree(response.body());
  }

  static PrivateKey readPrivateKey(Path pem) {
    try {
      String text = Files.readString(pem);
      byte[] der = Base64.getMimeDecoder().decode(text
          .replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", ""));
      return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An App JWT as GitHub's docs describe: iat 60 s in the past, exp within ten minutes. */
  static String appJwt(PrivateKey key, Instant iat, Duration lifetime) {
    return appJwt(key, iat, lifetime, String.valueOf(SandboxApp.APP_ID));
  }

  /** {@code iss} as given: octokit sends the App id as a number, most clients as a string. */
  static String appJwt(PrivateKey key, Instant iat, Duration lifetime, Object issuer) {
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .claim("iss", issuer)
        .issueTime(Date.from(iat))
        .expirationTime(Date.from(iat.plus(lifetime)))
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims);
    try {
      jwt.sign(new RSASSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    return jwt.serialize();
  }

  static String appJwt(PrivateKey key) {
    return appJwt(key, Instant.now().minusSeconds(60), Duration.ofMinutes(9));
  }
}
