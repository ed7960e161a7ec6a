package dev.authoraization.credential.auth0;

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
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The user's own GitHub token, held by Auth0. Two ways to it, by {@link Auth0Properties.Mode}:
 * <ul>
 *   <li><b>Token Vault</b> (default): the caller's Auth0 access token (the bearer token they
 *       presented at the door) is exchanged at {@code POST /oauth/token} with the grant
 *       {@code urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token},
 *       {@code subject_token_type=urn:ietf:params:oauth:token-type:access_token},
 *       {@code requested_token_type=http://auth0.com/oauth/token-type/federated-connection-access-token}
 *       and {@code connection}; the answer is an RFC 8693 token response. Auth0 answers 401 when the
 *       user has no usable account on that connection
 *       (<a href="https://auth0.com/docs/api/authentication/token-vault-token-exchange/get-token">Get Token</a>,
 *       <a href="https://auth0.com/docs/secure/call-apis-on-users-behalf/token-vault/access-token-exchange-with-token-vault">Access
 *       Token Exchange with Token Vault</a>).</li>
 *   <li><b>Management API</b> (older tenants): a client-credentials token for
 *       {@code audience=https://TENANT/api/v2/}, then {@code GET /api/v2/users/{id}} and the
 *       {@code access_token} of the {@code identities[]} entry of the connection
 *       (<a href="https://auth0.com/docs/secure/tokens/access-tokens/identity-provider-access-tokens">Identity
 *       Provider Access Tokens</a>,
 *       <a href="https://auth0.com/docs/authenticate/identity-providers/calling-an-external-idp-api">Call an
 *       Identity Provider API</a>).</li>
 * </ul>
 * Tokens are cached per (caller, connection) until {@code refreshMargin} before they expire, so an
 * approved call that runs after its requester's bearer token is gone still finds the token the
 * precondition check fetched. The token is the user's own GitHub access, not narrowed to one
 * repository: every credential says {@code broad=true}. It is not revoked on close (that would
 * disconnect the user's account). Nothing logged or thrown carries a token or the client secret.
 */
public final class Auth0TokenVault implements CredentialVault {

  static final String EXCHANGE_GRANT = "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token";
  static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
  static final String FEDERATED_TOKEN_TYPE = "http://auth0.com/oauth/token-type/federated-connection-access-token";

  private static final Logger log = LoggerFactory.getLogger(Auth0TokenVault.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Auth0Properties properties;
  private final SubjectTokens subjectTokens;
  private final HttpClient http;
  private final Clock clock;
  private final HeldTokens tokens;
  private volatile HeldToken managementToken;

  public Auth0TokenVault(Auth0Properties properties, SubjectTokens subjectTokens, HttpClient http, Clock clock) {
    this.properties = properties.validate();
    this.subjectTokens = subjectTokens;
    this.http = http;
    this.clock = clock;
    this.tokens = new HeldTokens(clock, this.properties.refreshMargin());
  }

  public static HttpClient httpClient(Auth0Properties properties) {
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
          "The Auth0 vault cannot issue a " + request.need().kind() + " credential.");
    }
    Caller caller = request.caller();
    if (!properties.issuer().equals(caller.issuer())) {
      // in management-api mode the subject is used as an Auth0 user id: never for another issuer's user
      throw new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE, "GitHub credentials come from Auth0 ("
          + properties.issuer() + "), but the caller was signed in by " + caller.issuer()
          + ": sign in through Auth0 to use GitHub tools.");
    }
    String key = caller.principal() + "\n" + properties.connection();
    HeldToken held = tokens.get(key, () -> {
      HeldToken fetched = properties.mode() == Auth0Properties.Mode.TOKEN_VAULT ? exchange(caller) : fromManagementApi(caller);
      log.info("Fetched the GitHub token of {} from Auth0 ({}), held until {}", caller.principal(),
          properties.mode(), fetched.expiresAt());
      return fetched;
    });
    return new Credential(held.token(), "github user token of " + caller.subject() + " from Auth0 "
        + (properties.mode() == Auth0Properties.Mode.TOKEN_VAULT ? "Token Vault" : "Management API")
        + " (connection " + properties.connection() + "; broad: the user's own access, not narrowed to "
        + request.resource() + ")", true, held.expiresAt(), () -> {});
  }

  private boolean fresh(HeldToken held) {
    return held.freshAt(clock.instant(), properties.refreshMargin());
  }

  private HeldToken exchange(Caller caller) {
    String subjectToken = subjectTokens.of(caller).orElseThrow(() -> new GatewayException(
        ErrorCode.CREDENTIAL_UNAVAILABLE, "No Auth0 token of " + caller.subject() + " is at hand to exchange for "
            + "their GitHub token (the call runs after the request that carried it): call the tool again."));
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", EXCHANGE_GRANT);
    form.put("client_id", properties.clientId());
    form.put("client_secret", properties.clientSecret());
    form.put("subject_token", subjectToken);
    form.put("subject_token_type", ACCESS_TOKEN_TYPE);
    form.put("requested_token_type", FEDERATED_TOKEN_TYPE);
    form.put("connection", properties.connection());
    HttpResponse<String> response = send(HttpRequest.newBuilder(properties.tokenEndpoint())
        .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(form(form))));
    JsonNode body = parse(response);
    // 401 is the user's missing connection, unless it is about our own client (RFC 6749 section 5.2)
    if (response.statusCode() == 401 && !"invalid_client".equals(errorCode(body))) {
      throw reconnect(caller, errorCode(body));
    }
    if (response.statusCode() != 200) {
      throw refused("Token Vault exchange", response.statusCode(), body,
          "check that the application has the Token Vault grant and the connection " + properties.connection()
              + " has Token Vault enabled");
    }
    String token = body.path("access_token").asString("");
    if (token.isEmpty()) {
      throw new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE, "Auth0's Token Vault answer has no access_token.");
    }
    long expiresIn = body.path("expires_in").asLong(0);
    Duration lifetime = expiresIn > 0 ? Duration.ofSeconds(expiresIn) : properties.identityTokenHold();
    return new HeldToken(token, clock.instant().plus(lifetime));
  }

  private HeldToken fromManagementApi(Caller caller) {
    String management = managementToken();
    URI user = URI.create(properties.domain() + "/api/v2/users/"
        + URLEncoder.encode(caller.subject(), StandardCharsets.UTF_8).replace("+", "%20")
        + "?fields=identities&include_fields=true");
    HttpResponse<String> response = send(HttpRequest.newBuilder(user).header("Accept", "application/json")
        .header("Authorization", "Bearer " + management).GET());
    JsonNode body = parse(response);
    if (response.statusCode() == 401) {
      managementToken = null;
    }
    if (response.statusCode() == 404) {
      throw reconnect(caller, "user_not_found");
    }
    if (response.statusCode() != 200) {
      throw refused("Management API user read", response.statusCode(), body,
          "the application needs the read:users and read:user_idp_tokens scopes");
    }
    for (JsonNode identity : body.path("identities")) {
      if (properties.connection().equals(identity.path("connection").asString(""))) {
        String token = identity.path("access_token").asString("");
        if (token.isEmpty()) {
          break;
        }
        return new HeldToken(token, clock.instant().plus(properties.identityTokenHold()));
      }
    }
    throw reconnect(caller, "no_identity_token");
  }

  /** The client-credentials token for the Management API, cached until shortly before it expires. */
  private String managementToken() {
    HeldToken held = managementToken;
    if (held != null && fresh(held)) {
      return held.token();
    }
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "client_credentials");
    form.put("client_id", properties.clientId());
    form.put("client_secret", properties.clientSecret());
    form.put("audience", properties.managementAudience());
    HttpResponse<String> response = send(HttpRequest.newBuilder(properties.tokenEndpoint())
        .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(form(form))));
    JsonNode body = parse(response);
    String token = body.path("access_token").asString("");
    if (response.statusCode() != 200 || token.isEmpty()) {
      throw refused("Management API token request", response.statusCode(), body,
          "check engine.credentials.auth0.client-id/client-secret and that the application is authorized for "
              + "the Auth0 Management API");
    }
    long expiresIn = body.path("expires_in").asLong(0);
    Duration lifetime = expiresIn > 0 ? Duration.ofSeconds(expiresIn) : properties.identityTokenHold();
    held = new HeldToken(token, clock.instant().plus(lifetime));
    managementToken = held;
    return token;
  }

  private GatewayException reconnect(Caller caller, String error) {
    return new GatewayException(ErrorCode.RECONNECT_REQUIRED, "Auth0 holds no usable GitHub token for "
        + caller.subject() + " (" + error + "): the user must reconnect GitHub in Auth0 (sign in with the "
        + properties.connection() + " connection again), then retry.", Map.of("error", error));
  }

  private static GatewayException refused(String what, int status, JsonNode body, String hint) {
    String error = errorCode(body);
    return new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE,
        "Auth0 refused the " + what + ": " + status + " " + error + "; " + hint + ".", Map.of("error", error));
  }

  /** The OAuth error code only: descriptions are free text and are not repeated. */
  private static String errorCode(JsonNode body) {
    String error = body.path("error").asString("");
    return error.matches("[A-Za-z0-9_.:-]{1,80}") ? error : "no_error_code";
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(request.timeout(properties.httpTimeout()).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE, "Auth0 at " + properties.domain()
          + " cannot be reached (" + e.getClass().getSimpleName() + "); GitHub calls wait until it can.");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE, "Interrupted while asking Auth0 for a token.");
    }
  }

  /** The body as JSON, or an empty object: the status decides what happened, never a parse failure. */
  private static JsonNode parse(HttpResponse<String> response) {
    try {
      JsonNode body = JSON.readTree(response.body());
      return body == null || !body.isObject() ? JSON.createObjectNode() : body;
    } catch (JacksonException e) {
      return JSON.createObjectNode();
    }
  }

  private static String form(Map<String, String> form) {
    return form.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  @Override
  public String toString() {
    return "Auth0TokenVault[" + properties + "]";
  }
}
