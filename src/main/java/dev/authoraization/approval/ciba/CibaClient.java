package dev.authoraization.approval.ciba;

import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.dependency.Dependency;
import dev.authoraization.dependency.Guard;
import dev.authoraization.dependency.ResilienceProperties;
import dev.authoraization.dependency.TransientFailure;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP half of a CIBA client in poll mode: the backchannel authentication request
 * (<a href="https://openid.net/specs/openid-client-initiated-backchannel-authentication-core-1_0.html#auth_request">CIBA
 * Core 7.1</a>) and the token request with the CIBA grant (section 10.1), both authenticated
 * with {@code client_secret_basic}. It keeps no state besides the discovered endpoints; polling,
 * verification and decisions belong to its callers (the approval channel here, the engine's own
 * CIBA endpoint later). Nothing it logs or throws carries a token or the client secret.
 *
 * <p>Every call goes through the CIBA provider's {@link Guard} (one circuit breaker): discovery
 * and polls are retried with backoff when the provider is unreachable, too slow or answers 5xx;
 * the backchannel request, which pushes a prompt to a person's device, is sent once.
 */
public final class CibaClient {

  static final String GRANT_TYPE = "urn:openid:params:grant-type:ciba";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final CibaProperties properties;
  private final HttpClient http;
  private final Guard guard;
  private volatile CibaEndpoints endpoints;

  public CibaClient(CibaProperties properties, HttpClient http) {
    this(properties, http, new Guard(Dependency.CIBA, ResilienceProperties.defaults()));
  }

  public CibaClient(CibaProperties properties, HttpClient http, Guard guard) {
    this.properties = properties;
    this.http = http;
    this.guard = guard;
  }

  /** The CIBA provider's retry and circuit breaker, for health and for refusing early. */
  public Guard guard() {
    return guard;
  }

  public static HttpClient httpClient(CibaProperties properties) {
    return HttpClient.newBuilder().connectTimeout(properties.httpTimeout())
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** The acknowledgement of a backchannel authentication request (CIBA Core 7.3). */
  public record AuthRequest(String authReqId, Duration expiresIn, Optional<Duration> interval) {
    @Override
    public String toString() {
      return "AuthRequest[authReqId=(redacted), expiresIn=" + expiresIn + ", interval=" + interval + "]";
    }
  }

  /** One answer of the token endpoint to a poll (CIBA Core 11). */
  public sealed interface PollResult {
    /** {@code authorization_pending}: ask again after the interval. */
    record Pending() implements PollResult {}

    /** {@code slow_down}: add 5 s to the interval for this and every later poll. */
    record SlowDown(Optional<Duration> retryAfter) implements PollResult {}

    /** {@code access_denied}: the user said no on the device. */
    record Denied() implements PollResult {}

    /** {@code expired_token}: nobody answered in time. */
    record Expired() implements PollResult {}

    /** Another error the request cannot recover from (e.g. {@code invalid_grant}); the code only. */
    record Failed(String error) implements PollResult {}

    /** The provider could not be reached or answered garbage; poll again at the next interval. */
    record Unavailable(String why) implements PollResult {}

    /** The tokens; nothing about them is trusted until they are verified. */
    record Tokens(String idToken, String accessToken, Optional<JsonNode> authorizationDetails) implements PollResult {
      @Override
      public String toString() {
        return "Tokens[(redacted)]";
      }
    }
  }

  /**
   * Sends a backchannel authentication request.
   *
   * @param parameters the form parameters besides client authentication ({@code login_hint},
   *     {@code scope}, {@code binding_message}, ...)
   * @throws GatewayException {@link ErrorCode#PROVIDER_FAILED} when the provider refuses, with
   *     the provider's error code only; {@link ErrorCode#DEPENDENCY_UNAVAILABLE} naming the CIBA
   *     provider when it is unreachable, too slow, answers 5xx or 429, or its circuit is open
   */
  public AuthRequest authenticate(Map<String, String> parameters) {
    CibaEndpoints known = endpoints();
    // not retried: a second request could push a second prompt to the approver's device
    HttpResponse<String> response = guard.once(() -> available(post(known.backchannelAuthentication(), parameters)));
    JsonNode body = parse(response.body());
    if (response.statusCode() != 200 || !body.path("auth_req_id").isString()) {
      throw new GatewayException(ErrorCode.PROVIDER_FAILED, "The CIBA provider refused the authentication request: "
          + response.statusCode() + " " + errorCode(body), Map.of("error", errorCode(body)));
    }
    Optional<Duration> interval = body.path("interval").canConvertToLong() && body.path("interval").asLong() > 0
        ? Optional.of(Duration.ofSeconds(body.path("interval").asLong())) : Optional.empty();
    long expiresIn = body.path("expires_in").asLong(0);
    if (expiresIn <= 0) {
      throw new GatewayException(ErrorCode.PROVIDER_FAILED, "The CIBA provider's acknowledgement has no expires_in");
    }
    return new AuthRequest(body.path("auth_req_id").asString(), Duration.ofSeconds(expiresIn), interval);
  }

  /**
   * Asks the token endpoint whether {@code authReqId} was decided; when the provider is
   * unreachable, too slow or answers 5xx, asks again with backoff (a poll changes nothing) and
   * then answers {@link PollResult.Unavailable}, which is never final. Never throws.
   */
  public PollResult poll(String authReqId) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", GRANT_TYPE);
    form.put("auth_req_id", authReqId);
    HttpResponse<String> response;
    try {
      CibaEndpoints known = endpoints();
      response = guard.read(() -> serverWorking(post(known.token(), form)));
    } catch (GatewayException unreachable) {
      return new PollResult.Unavailable(unreachable.getMessage());
    }
    if (response.statusCode() == 429) {
      // a rate limit is an answer, not an outage: poll slower, as for slow_down
      return new PollResult.SlowDown(response.headers().firstValue("Retry-After").flatMap(CibaClient::seconds));
    }
    JsonNode body;
    try {
      body = parse(response.body());
    } catch (GatewayException garbage) {
      return new PollResult.Unavailable("status " + response.statusCode() + ", body is not JSON");
    }
    if (response.statusCode() == 200) {
      if (!body.path("id_token").isString()) {
        return new PollResult.Failed("no_id_token");
      }
      JsonNode details = body.path("authorization_details");
      return new PollResult.Tokens(body.path("id_token").asString(), body.path("access_token").asString(""),
          details.isMissingNode() || details.isNull() ? Optional.empty() : Optional.of(details));
    }
    if (response.statusCode() >= 500) {
      return new PollResult.Unavailable("status " + response.statusCode());
    }
    String error = errorCode(body);
    return switch (error) {
      case "authorization_pending" -> new PollResult.Pending();
      case "slow_down" -> new PollResult.SlowDown(response.headers().firstValue("Retry-After")
          .flatMap(CibaClient::seconds));
      case "access_denied" -> new PollResult.Denied();
      case "expired_token" -> new PollResult.Expired();
      default -> new PollResult.Failed(error);
    };
  }

  /** The endpoints, from configuration or else from discovery (done once, on first use). */
  public CibaEndpoints endpoints() {
    CibaEndpoints known = endpoints;
    if (known != null) {
      return known;
    }
    synchronized (this) {
      if (endpoints == null) {
        endpoints = resolve(); // not cached when it fails: the next request tries again
      }
      return endpoints;
    }
  }

  private CibaEndpoints resolve() {
    if (!properties.backchannelAuthenticationEndpoint().isEmpty() && !properties.tokenEndpoint().isEmpty()
        && !properties.jwksUri().isEmpty()) {
      return new CibaEndpoints(URI.create(properties.backchannelAuthenticationEndpoint()),
          URI.create(properties.tokenEndpoint()), URI.create(properties.jwksUri()));
    }
    String issuer = properties.issuer();
    URI discovery = URI.create((issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer)
        + "/.well-known/openid-configuration");
    HttpResponse<String> response = guard.read(() -> serverWorking(send(HttpRequest.newBuilder(discovery)
        .timeout(properties.httpTimeout()).header("Accept", "application/json").GET().build())));
    JsonNode metadata = parse(response.body());
    if (response.statusCode() != 200) {
      throw new GatewayException(ErrorCode.PROVIDER_FAILED, "CIBA provider discovery failed: " + response.statusCode());
    }
    // OpenID Connect Discovery 1.0 section 4.3: the metadata must name the issuer we asked
    if (!issuer.equals(metadata.path("issuer").asString(""))) {
      throw new GatewayException(ErrorCode.PROVIDER_FAILED,
          "CIBA provider discovery names another issuer than " + issuer);
    }
    return new CibaEndpoints(
        URI.create(pick(properties.backchannelAuthenticationEndpoint(), metadata, "backchannel_authentication_endpoint")),
        URI.create(pick(properties.tokenEndpoint(), metadata, "token_endpoint")),
        URI.create(pick(properties.jwksUri(), metadata, "jwks_uri")));
  }

  private static String pick(String configured, JsonNode metadata, String field) {
    if (!configured.isEmpty()) {
      return configured;
    }
    String found = metadata.path(field).asString("");
    if (found.isEmpty()) {
      throw new GatewayException(ErrorCode.PROVIDER_FAILED, "The CIBA provider's discovery document has no " + field);
    }
    return found;
  }

  private HttpResponse<String> post(URI uri, Map<String, String> form) {
    String body = form.entrySet().stream().map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
        .collect(Collectors.joining("&"));
    String basic = Base64.getEncoder().encodeToString(
        (encode(properties.clientId()) + ":" + encode(properties.clientSecret())).getBytes(StandardCharsets.UTF_8));
    return send(HttpRequest.newBuilder(uri).timeout(properties.httpTimeout())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .header("Authorization", "Basic " + basic)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  /** A 5xx is an outage (retried, counted by the breaker); anything below is the provider answering. */
  private static HttpResponse<String> serverWorking(HttpResponse<String> response) {
    if (response.statusCode() >= 500) {
      throw new TransientFailure(response.uri().getHost() + " answered HTTP " + response.statusCode(),
          response.headers().firstValue("Retry-After").flatMap(CibaClient::seconds),
          Map.of("status", Integer.toString(response.statusCode())), null);
    }
    return response;
  }

  /** As {@link #serverWorking}; a 429 too, since the request was not taken and the caller must come back. */
  private static HttpResponse<String> available(HttpResponse<String> response) {
    if (response.statusCode() == 429) {
      throw new TransientFailure(response.uri().getHost() + " is rate-limiting the engine (HTTP 429)",
          Optional.of(response.headers().firstValue("Retry-After").flatMap(CibaClient::seconds)
              .orElse(Duration.ofSeconds(30))), Map.of("status", "429"), null);
    }
    return serverWorking(response);
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw new TransientFailure(request.uri().getHost() + " did not answer within "
          + properties.httpTimeout().toMillis() + " ms", Optional.empty(), Map.of(), null);
    } catch (IOException e) {
      throw new TransientFailure("the CIBA provider could not be reached at " + request.uri().getHost()
          + " (" + e.getClass().getSimpleName() + ")", Optional.empty(), Map.of(), null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GatewayException(ErrorCode.PROVIDER_FAILED, "Interrupted while calling the CIBA provider");
    }
  }

  private static JsonNode parse(String body) {
    try {
      return body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
    } catch (JacksonException e) {
      throw new GatewayException(ErrorCode.PROVIDER_FAILED, "The CIBA provider answered with something that is not JSON");
    }
  }

  private static String errorCode(JsonNode body) {
    String error = body.path("error").asString("");
    // the error code goes into logs: keep it to the characters RFC 6749 section 5.2 allows
    return error.matches("[\\x20-\\x21\\x23-\\x5B\\x5D-\\x7E]{1,64}") ? error : "unknown_error";
  }

  private static Optional<Duration> seconds(String header) {
    try {
      return Optional.of(Duration.ofSeconds(Long.parseLong(header.trim())));
    } catch (NumberFormatException notSeconds) {
      return Optional.empty();
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
