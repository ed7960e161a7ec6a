package dev.authoraization.identity.embedded.ciba;

import dev.authoraization.identity.embedded.EmbeddedOpenIdProvider;
import dev.authoraization.identity.embedded.EmbeddedUsers;
import dev.authoraization.identity.embedded.ciba.BackchannelRequest.State;
import jakarta.servlet.http.HttpServletRequest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.authentication.ClientSecretAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.web.authentication.ClientSecretBasicAuthenticationConverter;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The backchannel authentication endpoint
 * (<a href="https://openid.net/specs/openid-client-initiated-backchannel-authentication-core-1_0.html#auth_request">CIBA
 * Core 7</a>) at {@code /bc-authorize}: a confidential client ({@code client_secret_basic},
 * checked by Spring Authorization Server's own provider) asks for a user by {@code login_hint}
 * (the username), with a {@code binding_message} and optionally RFC 9396
 * {@code authorization_details}; the request waits on the approver device until the user answers
 * it with a passkey. Poll and ping delivery; the client's mode is part of its registration.
 */
@RestController
@ConditionalOnBooleanProperty(name = "engine.identity.embedded.enabled", matchIfMissing = true)
class BackchannelAuthenticationEndpoint {

  static final String PATH = "/bc-authorize";
  static final String DETAILS_TYPE = "authoraization_action";

  private static final Pattern BINDING = Pattern.compile("[\\p{L}\\p{N} +\\-_.,:#!?/]{1,64}");
  private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{64}");
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ClientSecretAuthenticationProvider clients;
  private final ClientSecretBasicAuthenticationConverter basic = new ClientSecretBasicAuthenticationConverter();
  private final BackchannelRequests requests;
  private final EmbeddedUsers users;
  private final EmbeddedCibaProperties properties;
  private final Clock clock;

  BackchannelAuthenticationEndpoint(RegisteredClientRepository registeredClients,
      OAuth2AuthorizationService authorizations, BackchannelRequests requests, EmbeddedUsers users,
      EmbeddedCibaProperties properties, Clock clock) {
    // not a bean: an AuthenticationProvider bean would join Spring Security's global manager
    this.clients = new ClientSecretAuthenticationProvider(registeredClients, authorizations);
    this.clients.setPasswordEncoder(EmbeddedOpenIdProvider.clientSecrets());
    this.requests = requests;
    this.users = users;
    this.properties = properties;
    this.clock = clock;
  }

  /** A CIBA error response (CIBA Core 13): the code and a description that names no secret. */
  record Refused(HttpStatus status, String error, String description) {}

  @PostMapping(path = PATH, consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
  ResponseEntity<Map<String, Object>> authorize(HttpServletRequest http) {
    try {
      RegisteredClient client = authenticate(http);
      BackchannelRequest request = validate(http, client);
      requests.create(request);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("auth_req_id", request.authReqId());
      body.put("expires_in", Duration.between(request.createdAt(), request.expiresAt()).toSeconds());
      body.put("interval", request.interval().toSeconds());
      return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(body);
    } catch (RefusedException e) {
      Refused r = e.refused;
      ResponseEntity.BodyBuilder response = ResponseEntity.status(r.status()).cacheControl(CacheControl.noStore());
      if (r.status() == HttpStatus.UNAUTHORIZED) {
        response.header("WWW-Authenticate", "Basic realm=\"bc-authorize\"");
      }
      return response.body(Map.of("error", r.error(), "error_description", r.description()));
    }
  }

  private RegisteredClient authenticate(HttpServletRequest http) {
    try {
      Authentication presented = basic.convert(http);
      if (presented == null) {
        throw refused(HttpStatus.UNAUTHORIZED, "invalid_client", "Authenticate the client with HTTP Basic.");
      }
      Authentication authenticated = clients.authenticate(presented);
      if (authenticated instanceof OAuth2ClientAuthenticationToken token && token.getRegisteredClient() != null) {
        return token.getRegisteredClient();
      }
    } catch (OAuth2AuthenticationException e) {
      // fall through: the same answer for an unknown client and a wrong secret
    }
    throw refused(HttpStatus.UNAUTHORIZED, "invalid_client", "Client authentication failed.");
  }

  private BackchannelRequest validate(HttpServletRequest http, RegisteredClient client) {
    if (!client.getAuthorizationGrantTypes().contains(CibaGrant.TYPE)) {
      throw refused(HttpStatus.BAD_REQUEST, "unauthorized_client", "This client may not use CIBA.");
    }
    String scope = single(http, "scope").orElse("");
    Set<String> scopes = Set.copyOf(Arrays.stream(scope.split(" ")).filter(s -> !s.isEmpty()).toList());
    if (!scopes.contains("openid") || !client.getScopes().containsAll(scopes)) {
      throw refused(HttpStatus.BAD_REQUEST, "invalid_scope", "scope must contain openid and only the client's scopes.");
    }
    if (single(http, "id_token_hint").isPresent() || single(http, "login_hint_token").isPresent()) {
      throw refused(HttpStatus.BAD_REQUEST, "invalid_request", "Only login_hint (a username) is supported.");
    }
    String hint = single(http, "login_hint").orElseThrow(() ->
        refused(HttpStatus.BAD_REQUEST, "invalid_request", "login_hint is required."));
    if (hint.length() > 100 || users.roles(hint).isEmpty()) {
      throw refused(HttpStatus.BAD_REQUEST, "unknown_user_id", "login_hint names no enabled user.");
    }
    String binding = single(http, "binding_message").orElse("");
    if (!binding.isEmpty() && !BINDING.matcher(binding).matches()) {
      throw refused(HttpStatus.BAD_REQUEST, "invalid_binding_message",
          "binding_message has at most 64 letters, digits, spaces and +-_.,:#!?/.");
    }
    String details = single(http, "authorization_details").orElse("[]");
    String fingerprint = fingerprintOf(details);

    String endpoint = "";
    String token = "";
    if ("ping".equals(client.getClientSettings().getSetting(EmbeddedCibaConfiguration.DELIVERY_MODE))
        && client.getClientSettings().getSetting(EmbeddedCibaConfiguration.NOTIFICATION_ENDPOINT) instanceof String registered) {
      endpoint = registered;
      token = single(http, "client_notification_token").orElseThrow(() -> refused(HttpStatus.BAD_REQUEST,
          "invalid_request", "client_notification_token is required in ping mode."));
      if (token.length() > 1024) {
        throw refused(HttpStatus.BAD_REQUEST, "invalid_request", "client_notification_token is too long.");
      }
    }
    Duration expiresIn = properties.expiresIn();
    Optional<String> requested = single(http, "requested_expiry");
    if (requested.isPresent()) {
      try {
        long seconds = Long.parseLong(requested.get());
        if (seconds < 1) {
          throw new NumberFormatException();
        }
        expiresIn = Duration.ofSeconds(Math.min(seconds, expiresIn.toSeconds()));
      } catch (NumberFormatException e) {
        throw refused(HttpStatus.BAD_REQUEST, "invalid_request", "requested_expiry is a positive number of seconds.");
      }
    }
    byte[] id = new byte[32];
    RANDOM.nextBytes(id);
    Instant now = clock.instant();
    return new BackchannelRequest(Base64.getUrlEncoder().withoutPadding().encodeToString(id), client.getClientId(),
        hint, String.join(" ", scopes.stream().sorted().toList()), binding, details, fingerprint, endpoint, token,
        State.PENDING, now, now.plus(expiresIn), properties.interval(), Optional.empty(), Optional.empty(), "{}");
  }

  /** RFC 9396: a JSON array of objects with a type; ours must name one 64-hex fingerprint. */
  private static String fingerprintOf(String details) {
    JsonNode parsed;
    try {
      parsed = JSON.readTree(details);
    } catch (JacksonException e) {
      throw refused(HttpStatus.BAD_REQUEST, "invalid_authorization_details", "authorization_details is not JSON.");
    }
    if (!parsed.isArray() || details.length() > 8000) {
      throw refused(HttpStatus.BAD_REQUEST, "invalid_authorization_details",
          "authorization_details is a JSON array of at most 8000 characters.");
    }
    String found = "";
    for (JsonNode entry : parsed) {
      if (!entry.isObject() || !entry.path("type").isString()) {
        throw refused(HttpStatus.BAD_REQUEST, "invalid_authorization_details", "Each entry needs a type.");
      }
      if (DETAILS_TYPE.equals(entry.path("type").asString())) {
        String fingerprint = entry.path("fingerprint").asString("");
        if (!FINGERPRINT.matcher(fingerprint).matches() || (!found.isEmpty() && !found.equals(fingerprint))) {
          throw refused(HttpStatus.BAD_REQUEST, "invalid_authorization_details",
              DETAILS_TYPE + " needs one fingerprint of 64 lower-case hex digits.");
        }
        found = fingerprint;
      }
    }
    return found;
  }

  private static Optional<String> single(HttpServletRequest http, String name) {
    String[] values = http.getParameterValues(name);
    if (values == null || values.length == 0 || values[0].isBlank()) {
      return Optional.empty();
    }
    if (values.length > 1) {
      throw refused(HttpStatus.BAD_REQUEST, "invalid_request", name + " must be sent once.");
    }
    return Optional.of(values[0]);
  }

  private static RefusedException refused(HttpStatus status, String error, String description) {
    return new RefusedException(new Refused(status, error, description));
  }

  /** Ends validation with a CIBA error response. */
  static final class RefusedException extends RuntimeException {
    private final transient Refused refused;

    RefusedException(Refused refused) {
      super(refused.error(), null, false, false);
      this.refused = refused;
    }
  }
}
