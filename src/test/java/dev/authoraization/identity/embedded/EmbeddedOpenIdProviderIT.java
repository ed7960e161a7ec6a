package dev.authoraization.identity.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The built-in OpenID provider over real HTTP, and its tokens at the REST door.
 */
class EmbeddedOpenIdProviderIT extends EmbeddedProviderContext {

  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

  private final Http http = new Http(ISSUER);

  @Test
  void discoveryNamesTheIssuerAndItsEndpoints() {
    HttpResponse<String> response = http.get("/.well-known/openid-configuration");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode discovery = Http.json(response);
    assertThat(discovery.get("issuer").asString()).isEqualTo(ISSUER);
    assertThat(discovery.get("jwks_uri").asString()).isEqualTo(ISSUER + "/oauth2/jwks");
    assertThat(discovery.get("token_endpoint").asString()).isEqualTo(ISSUER + "/oauth2/token");
    assertThat(discovery.get("userinfo_endpoint").asString()).isEqualTo(ISSUER + "/userinfo");
    assertThat(discovery.get("code_challenge_methods_supported").toString()).contains("S256");
  }

  @Test
  void jwksPublishesOneRsaKeyWithAKidAndNoPrivatePart() {
    HttpResponse<String> response = http.get("/oauth2/jwks");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode key = Http.json(response).get("keys").get(0);
    assertThat(key.get("kty").asString()).isEqualTo("RSA");
    assertThat(key.get("kid").asString()).isNotBlank();
    assertThat(key.has("d")).as("private exponent").isFalse();
    assertThat(key.has("p")).isFalse();
  }

  @Test
  void clientCredentialsTokenOfTheDemoAgentIsAcceptedAtTheRestDoor() throws Exception {
    HttpResponse<String> response = http.postForm("/oauth2/token", Map.of("grant_type", "client_credentials"),
        "Authorization", Http.basic(FirstStart.AGENT_CLIENT, AGENT_SECRET));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    String token = Http.json(response).get("access_token").asString();
    JWTClaimsSet claims = SignedJWT.parse(token).getJWTClaimsSet();
    assertThat(claims.getSubject()).isEqualTo("demo-agent");
    assertThat(claims.getStringListClaim("roles")).containsExactly("developer");
    assertThat(claims.getAudience()).contains("authoraization-engine");
    assertThat(claims.getIssuer()).isEqualTo(ISSUER);

    assertThat(http.bearer("/api/v1/tools", token).statusCode()).isEqualTo(200);
  }

  @Test
  void clientCredentialsWithAWrongSecretAreRefused() {
    HttpResponse<String> response = http.postForm("/oauth2/token", Map.of("grant_type", "client_credentials"),
        "Authorization", Http.basic(FirstStart.AGENT_CLIENT, AGENT_SECRET + "x"));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.body()).doesNotContain("access_token");
  }

  @Test
  void aliceLogsInWithCodeAndPkceAndHerTokenIsAcceptedAtTheRestDoor() throws Exception {
    String verifier = verifier();
    String code = authorize("alice", ALICE_PASSWORD, challenge(verifier));

    HttpResponse<String> tokens = exchange(code, verifier);

    assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
    JsonNode body = Http.json(tokens);
    String accessToken = body.get("access_token").asString();
    JWTClaimsSet claims = SignedJWT.parse(accessToken).getJWTClaimsSet();
    assertThat(claims.getSubject()).isEqualTo("alice");
    assertThat(claims.getStringListClaim("roles")).containsExactly("developer");
    assertThat(claims.getAudience()).containsExactly("authoraization-engine");
    assertThat(body.get("id_token").asString()).isNotBlank();
    assertThat(http.bearer("/api/v1/tools", accessToken).statusCode()).isEqualTo(200);

    HttpResponse<String> userinfo = http.bearer("/userinfo", accessToken);
    assertThat(userinfo.statusCode()).as(userinfo.body()).isEqualTo(200);
    assertThat(Http.json(userinfo).get("sub").asString()).isEqualTo("alice");
  }

  @Test
  void aRefreshTokenGivesANewAccessTokenAndIsRotated() throws Exception {
    String verifier = verifier();
    JsonNode first = Http.json(exchange(authorize("alice", ALICE_PASSWORD, challenge(verifier)), verifier));
    String refreshToken = first.get("refresh_token").asString();

    HttpResponse<String> refreshed = refresh(refreshToken);

    assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
    JsonNode body = Http.json(refreshed);
    String accessToken = body.get("access_token").asString();
    assertThat(SignedJWT.parse(accessToken).getJWTClaimsSet().getSubject()).isEqualTo("alice");
    assertThat(SignedJWT.parse(accessToken).getJWTClaimsSet().getStringListClaim("roles")).containsExactly("developer");
    assertThat(http.bearer("/api/v1/tools", accessToken).statusCode()).isEqualTo(200);
    assertThat(body.get("refresh_token").asString()).isNotEqualTo(refreshToken);
    assertThat(refresh(refreshToken).statusCode()).as("a used refresh token is spent").isEqualTo(400);
  }

  @Test
  void aRefreshWithoutSecretIsRefusedForAConfidentialClient() {
    String verifier = verifier();
    String refreshToken = Http.json(exchange(authorize("alice", ALICE_PASSWORD, challenge(verifier)), verifier))
        .get("refresh_token").asString();

    HttpResponse<String> asAgent = http.postForm("/oauth2/token", Map.of("grant_type", "refresh_token",
        "refresh_token", refreshToken, "client_id", FirstStart.AGENT_CLIENT));

    assertThat(asAgent.statusCode()).isEqualTo(401);
    assertThat(Http.json(asAgent).get("error").asString()).isEqualTo("invalid_client");
    assertThat(refresh(refreshToken).statusCode()).as("still usable by its own client").isEqualTo(200);
  }

  @Test
  void aWrongPasswordSendsBackToTheLoginFormWithoutACode() {
    String challenge = challenge(verifier());
    HttpResponse<String> toLogin = http.get(authorizeUrl(challenge), "Accept", "text/html");
    assertThat(toLogin.statusCode()).isEqualTo(302);

    HttpResponse<String> login = submitLogin("alice", "not-" + ALICE_PASSWORD);

    assertThat(login.statusCode()).isEqualTo(302);
    assertThat(Http.location(login)).endsWith("/login?error");
    assertThat(Http.location(login)).doesNotContain("code=");
  }

  @Test
  void aWrongPkceVerifierIsRefused() {
    String verifier = verifier();
    String code = authorize("alice", ALICE_PASSWORD, challenge(verifier));

    HttpResponse<String> tokens = exchange(code, verifier());

    assertThat(tokens.statusCode()).isEqualTo(400);
    assertThat(Http.json(tokens).get("error").asString()).isEqualTo("invalid_grant");
  }

  @Test
  void anAuthorizationRequestWithoutPkceIsRefused() {
    HttpResponse<String> toLogin = http.get("/oauth2/authorize?response_type=code&client_id=engine-web&scope=openid"
        + "&redirect_uri=" + REDIRECT_URI + "&state=s1", "Accept", "text/html");

    // engine-web requires PKCE: the provider answers with an error instead of asking to log in
    assertThat(toLogin.statusCode()).isIn(302, 400);
    if (toLogin.statusCode() == 302) {
      assertThat(Http.location(toLogin)).startsWith(REDIRECT_URI).contains("error=invalid_request")
          .doesNotContain("code=");
    }
  }

  @Test
  void theLoginFormCarriesACsrfTokenAndAPostWithoutItIsRefused() {
    HttpResponse<String> form = http.get("/login", "Accept", "text/html");
    assertThat(form.statusCode()).isEqualTo(200);
    assertThat(CSRF.matcher(form.body()).find()).isTrue();

    HttpResponse<String> forged = http.postForm("/login", Map.of("username", "alice", "password", ALICE_PASSWORD));

    assertThat(forged.statusCode()).isEqualTo(403);
  }

  /** The browser part: authorize → login form → credentials → back to authorize → code. */
  private String authorize(String username, String password, String challenge) {
    HttpResponse<String> toLogin = http.get(authorizeUrl(challenge), "Accept", "text/html");
    assertThat(toLogin.statusCode()).as(toLogin.body()).isEqualTo(302);
    assertThat(Http.location(toLogin)).isEqualTo(ISSUER + "/login");

    HttpResponse<String> login = submitLogin(username, password);
    assertThat(login.statusCode()).isEqualTo(302);
    assertThat(Http.location(login)).startsWith(ISSUER + "/oauth2/authorize");

    HttpResponse<String> back = http.get(Http.location(login), "Accept", "text/html");
    assertThat(back.statusCode()).as(back.body()).isEqualTo(302);
    String redirect = Http.location(back);
    assertThat(redirect).startsWith(REDIRECT_URI);
    Map<String, String> params = Http.query(redirect);
    assertThat(params.get("state")).isEqualTo("state-1");
    return params.get("code");
  }

  private HttpResponse<String> submitLogin(String username, String password) {
    HttpResponse<String> form = http.get("/login", "Accept", "text/html");
    Matcher csrf = CSRF.matcher(form.body());
    assertThat(csrf.find()).as("CSRF token in the login form").isTrue();
    return http.postForm("/login", Map.of("username", username, "password", password, "_csrf", csrf.group(1)));
  }

  private HttpResponse<String> exchange(String code, String verifier) {
    return http.postForm("/oauth2/token", Map.of("grant_type", "authorization_code", "code", code,
        "redirect_uri", REDIRECT_URI, "client_id", FirstStart.WEB_CLIENT, "code_verifier", verifier));
  }

  private HttpResponse<String> refresh(String refreshToken) {
    return http.postForm("/oauth2/token", Map.of("grant_type", "refresh_token", "refresh_token", refreshToken,
        "client_id", FirstStart.WEB_CLIENT));
  }

  private static String authorizeUrl(String challenge) {
    return "/oauth2/authorize?response_type=code&client_id=engine-web&scope=openid%20profile&state=state-1"
        + "&redirect_uri=" + REDIRECT_URI + "&code_challenge=" + challenge + "&code_challenge_method=S256";
  }

  private static String verifier() {
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
