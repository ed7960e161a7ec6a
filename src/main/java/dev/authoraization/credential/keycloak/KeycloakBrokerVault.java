package dev.authoraization.credential.keycloak;

import dev.authoraization.call.Caller;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.credential.Credential;
import dev.authoraization.credential.HeldToken;
import dev.authoraization.credential.HeldTokens;
import dev.authoraization.credential.CredentialRequest;
import dev.authoraization.credential.CredentialVault;
import dev.authoraization.credential.SubjectTokens;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The upstream access token Keycloak stored when the user signed in through the identity provider
 * {@code alias} with "Store tokens" on: {@code GET {realm}/broker/{alias}/token} with the user's own
 * Keycloak access token (the bearer token they presented at the door), which must carry the
 * client role {@code broker/read-token}
 * (<a href="https://www.keycloak.org/docs/latest/server_admin/#retrieving-external-idp-tokens">Retrieving
 * external IDP tokens</a>). Keycloak answers with the token response it stored: JSON for OIDC
 * providers, form-encoded for some OAuth 2 providers such as GitHub; both are read.
 *
 * <p>Tokens are cached per caller until {@code refreshMargin} before they expire, so an approved call
 * that runs after its requester's bearer token is gone finds the token its precondition check read.
 * The token is the user's own upstream access, not narrowed to one repository: every credential
 * says {@code broad=true}, and nothing is revoked on close. No token appears in a log or message.
 */
public final class KeycloakBrokerVault implements CredentialVault {

  private static final Logger log = LoggerFactory.getLogger(KeycloakBrokerVault.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final KeycloakBrokerProperties properties;
  private final SubjectTokens subjectTokens;
  private final HttpClient http;
  private final Clock clock;
  private final HeldTokens tokens;

  public KeycloakBrokerVault(KeycloakBrokerProperties properties, SubjectTokens subjectTokens, HttpClient http,
      Clock clock) {
    this.properties = properties.validate();
    this.subjectTokens = subjectTokens;
    this.http = http;
    this.clock = clock;
    this.tokens = new HeldTokens(clock, this.properties.refreshMargin());
  }

  public static HttpClient httpClient(KeycloakBrokerProperties properties) {
    return HeldTokens.httpClient(properties.httpTimeout());
  }


  @Override
  public boolean supports(String kind) {
    return "github".equals(kind);
  }

  @Override
  public Credential issue(CredentialRequest request) {
    if (!supports(request.need().kind())) {
      throw new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE,
          "The Keycloak broker vault cannot issue a " + request.need().kind() + " credential.");
    }
    Caller caller = request.caller();
    if (!properties.issuer().equals(caller.issuer())) {
      throw new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE, "GitHub credentials come from Keycloak ("
          + properties.issuer() + "), but the caller was signed in by " + caller.issuer()
          + ": sign in through that realm to use GitHub tools.");
    }
    HeldToken held = tokens.get(caller.principal(), () -> {
      HeldToken fetched = read(caller);
      log.info("Read the stored {} token of {} from Keycloak, held until {}", properties.alias(), caller.principal(),
          fetched.expiresAt());
      return fetched;
    });
    return new Credential(held.token(), "upstream token of " + caller.subject() + " stored by Keycloak (identity "
        + "provider " + properties.alias() + "; broad: the user's own access, not narrowed to " + request.resource()
        + ")", true, held.expiresAt(), () -> {});
  }

  private HeldToken read(Caller caller) {
    String bearer = subjectTokens.of(caller).orElseThrow(() -> new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE,
        "No Keycloak token of " + caller.subject() + " is at hand to read their stored " + properties.alias()
            + " token (the call runs after the request that carried it): call the tool again."));
    HttpResponse<String> response;
    try {
      response = http.send(HttpRequest.newBuilder(properties.tokenEndpoint()).timeout(properties.httpTimeout())
          .header("Authorization", "Bearer " + bearer).header("Accept", "application/json").GET().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE, "Keycloak at " + properties.issuer()
          + " cannot be reached (" + e.getClass().getSimpleName() + "); GitHub calls wait until it can.");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE, "Interrupted while asking Keycloak for a token.");
    }
    int status = response.statusCode();
    if (status == 200) {
      return held(response.body());
    }
    if (status == 400 || status == 401) {
      // Keycloak names the cause in free text only ({"errorMessage": ...}); the text never leaves here
      String message = errorMessage(response.body());
      if (message.contains("is not associated with identity provider")) {
        throw new GatewayException(ErrorCode.RECONNECT_REQUIRED, "Keycloak holds no " + properties.alias()
            + " token for " + caller.subject() + ": the user must reconnect " + properties.alias()
            + " (sign in through that identity provider once), then retry.", Map.of("status", String.valueOf(status)));
      }
      if (message.contains("does not support this operation")) {
        throw new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE, "Keycloak keeps no tokens of the identity "
            + "provider " + properties.alias() + ": turn on 'Store tokens' for it.", Map.of("status", String.valueOf(status)));
      }
      throw new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE, "Keycloak did not accept the token of "
          + caller.subject() + " (expired, revoked or not its own): sign in again.",
          Map.of("status", String.valueOf(status)));
    }
    if (status == 403) {
      throw new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE, "Keycloak refused to hand out the stored "
          + properties.alias() + " token: the user's token needs the client role broker/read-token "
          + "(set 'Stored tokens readable' on the identity provider, or grant the role).", Map.of("status", "403"));
    }
    throw new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE, "Keycloak answered " + status
        + " when asked for the stored " + properties.alias() + " token.", Map.of("status", String.valueOf(status)));
  }

  /** The stored token response: JSON (OIDC providers) or form-encoded (GitHub's classic answer). */
  private HeldToken held(String body) {
    Map<String, String> fields = new HashMap<>();
    try {
      JsonNode json = JSON.readTree(body);
      if (json != null && json.isObject()) {
        json.properties().forEach(field -> fields.put(field.getKey(), field.getValue().asString("")));
      }
    } catch (JacksonException notJson) {
      for (String pair : body.trim().split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    String token = fields.getOrDefault("access_token", "");
    if (token.isEmpty()) {
      throw new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE, "Keycloak's stored " + properties.alias()
          + " token response has no access_token.");
    }
    Instant now = clock.instant();
    Instant expiresAt = now.plus(properties.tokenHold());
    // Keycloak adds accessTokenExpiration (epoch seconds) to what it stored; expires_in counts from storing
    long absolute = parseLong(fields.get("accessTokenExpiration"));
    if (absolute > 0) {
      expiresAt = Instant.ofEpochSecond(absolute);
    }
    return new HeldToken(token, expiresAt);
  }

  private static String errorMessage(String body) {
    try {
      JsonNode json = JSON.readTree(body);
      return json == null ? "" : json.path("errorMessage").asString(json.path("error").asString(""));
    } catch (JacksonException notJson) {
      return "";
    }
  }

  private static long parseLong(String value) {
    try {
      return value == null ? 0 : Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  @Override
  public String toString() {
    return "KeycloakBrokerVault[" + properties.tokenEndpoint() + "]";
  }
}
