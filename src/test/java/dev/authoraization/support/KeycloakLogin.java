package dev.authoraization.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieHandler;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A user agent at the HTTP level (a cookie jar, redirects followed by hand, forms submitted) that
 * signs a user in to the {@code engine} realm of {@link KeycloakServer} through its identity
 * provider {@code upstream} (the second realm), with authorization code and PKCE, and returns the
 * tokens. The same jar keeps the Keycloak session, so a second client gets its code without a login.
 */
public final class KeycloakLogin {

  public static final String REDIRECT = "http://127.0.0.1/callback";
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Pattern FORM = Pattern.compile("<form[^>]*action=\"([^\"]+)\"[^>]*>(.*?)</form>", Pattern.DOTALL);
  private static final Pattern INPUT = Pattern.compile("<input[^>]*>", Pattern.DOTALL);
  private static final Pattern ATTRIBUTE = Pattern.compile("(name|value|type)=\"([^\"]*)\"");

  private final KeycloakServer keycloak;
  private final HttpClient http;

  public KeycloakLogin(KeycloakServer keycloak) {
    this.keycloak = keycloak;
    this.http = HttpClient.newBuilder().cookieHandler(new LoopbackCookies())
        .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** The token response of {@code clientId}, signing in as {@code username} at the upstream realm if needed. */
  public JsonNode signInThroughUpstream(String clientId, String username, String password) {
    String verifier = random();
    String authorize = keycloak.issuer() + "/protocol/openid-connect/auth?" + form(Map.of(
        "client_id", clientId, "response_type", "code", "scope", "openid", "redirect_uri", REDIRECT,
        "state", random(), "code_challenge", challenge(verifier), "code_challenge_method", "S256",
        "kc_idp_hint", "upstream"));
    String code = follow(URI.create(authorize), username, password);
    HttpResponse<String> token = send(HttpRequest.newBuilder(URI.create(keycloak.issuer() + "/protocol/openid-connect/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form(Map.of("grant_type", "authorization_code", "client_id", clientId,
            "code", code, "redirect_uri", REDIRECT, "code_verifier", verifier)))).build());
    if (token.statusCode() != 200) {
      throw new IllegalStateException("Keycloak refused the code: " + token.statusCode() + " " + token.body());
    }
    return JSON.readTree(token.body());
  }

  /** Follows redirects and fills the login form until Keycloak redirects to {@link #REDIRECT}; the code. */
  private String follow(URI start, String username, String password) {
    HttpResponse<String> response = send(HttpRequest.newBuilder(start).GET().build());
    for (int step = 0; step < 20; step++) {
      int status = response.statusCode();
      if (status == 302 || status == 303) {
        URI next = response.uri().resolve(response.headers().firstValue("Location").orElseThrow());
        if (next.toString().startsWith(REDIRECT)) {
          Map<String, String> query = query(next.getRawQuery());
          if (!query.containsKey("code")) {
            throw new IllegalStateException("Sign-in ended without a code: " + next);
          }
          return query.get("code");
        }
        response = send(HttpRequest.newBuilder(next).GET().build());
      } else if (status == 200) {
        Matcher form = FORM.matcher(response.body());
        if (!form.find()) {
          throw new IllegalStateException("A page without a form in the sign-in: " + response.uri());
        }
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher input = INPUT.matcher(form.group(2));
        while (input.find()) {
          Map<String, String> attributes = new LinkedHashMap<>();
          Matcher attribute = ATTRIBUTE.matcher(input.group());
          while (attribute.find()) {
            attributes.put(attribute.group(1), attribute.group(2).replace("&amp;", "&"));
          }
          if (attributes.containsKey("name") && !"submit".equals(attributes.get("type"))) {
            fields.put(attributes.get("name"), attributes.getOrDefault("value", ""));
          }
        }
        if (fields.containsKey("password")) {
          fields.put("username", username);
          fields.put("password", password);
        }
        URI action = response.uri().resolve(form.group(1).replace("&amp;", "&"));
        response = send(HttpRequest.newBuilder(action).header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form(fields))).build());
      } else {
        throw new IllegalStateException("Sign-in step answered " + status + " at " + response.uri());
      }
    }
    throw new IllegalStateException("Sign-in did not finish in 20 steps");
  }

  /**
   * A cookie jar that, like a browser on {@code http://127.0.0.1} (a secure context), sends the
   * cookies Keycloak marks {@code Secure; SameSite=None}; {@link CookieManager} alone never sends a
   * Secure cookie over http.
   */
  private static final class LoopbackCookies extends CookieHandler {
    private final CookieManager jar = new CookieManager(null, CookiePolicy.ACCEPT_ALL);

    @Override
    public Map<String, List<String>> get(URI uri, Map<String, List<String>> headers) throws IOException {
      return jar.get(asSecure(uri), headers);
    }

    @Override
    public void put(URI uri, Map<String, List<String>> headers) throws IOException {
      jar.put(asSecure(uri), headers);
    }

    private static URI asSecure(URI uri) {
      try {
        return new URI("https", uri.getUserInfo(), uri.getHost(), uri.getPort(), uri.getPath(), uri.getQuery(), null);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(e);
      }
    }
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String pair : raw == null ? new String[0] : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        values.put(pair.substring(0, eq), java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return values;
  }

  private static String form(Map<String, String> values) {
    return values.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
  }

  private static String random() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String challenge(String verifier) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
