package dev.authoraization.approval.ciba;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;

/**
 * The CIBA client ({@code engine.approvals.ciba.*}). Bound even when disabled, so nothing here
 * throws; {@link #validate()} runs once when the channel is built.
 *
 * @param issuer the provider's exact {@code iss}; also where discovery starts
 * @param backchannelAuthenticationEndpoint empty: {@code backchannel_authentication_endpoint} from discovery
 * @param tokenEndpoint empty: {@code token_endpoint} from discovery
 * @param jwksUri empty: {@code jwks_uri} from discovery
 * @param clientId our client at the provider; ID tokens must be issued to it ({@code aud})
 * @param clientSecret sent with HTTP basic authentication (RFC 6749 section 2.3.1)
 * @param provider decides the binding message rules, the login hint format and how a hint maps
 *     to the subject in the ID token
 * @param approvers per approver role of the policy, the login hints to ask (usernames or e-mail
 *     addresses for Keycloak, user ids such as {@code auth0|123} for Auth0)
 * @param rolesClaim where the approver's roles are in the access token; empty means
 *     {@code realm_access.roles} for Keycloak and {@code roles} otherwise
 * @param authorizationDetails whether the provider accepts RFC 9396 {@code authorization_details}
 * @param defaultInterval poll interval when the provider names none (CIBA Core 7.3: 5 s)
 * @param httpTimeout connect and response timeout of every call to the provider
 * @param clockSkew tolerance on token times and on {@code auth_time} against the request time
 * @param algorithms accepted JWS algorithms of the ID token
 * @param deliveryMode how the provider tells the engine that an approver answered (CIBA Core 5):
 *     {@code poll} (the default: the engine asks every interval) or {@code ping} (the provider
 *     POSTs to {@link CibaEndpoints#NOTIFICATION_PATH} and the engine asks at once); the client
 *     must be registered at the provider in the same mode
 * @param publicUrl the engine's base URL as the provider reaches it (ping only): the client's
 *     notification endpoint at the provider is this URL plus {@link CibaEndpoints#NOTIFICATION_PATH}
 */
@ConfigurationProperties("engine.approvals.ciba")
public record CibaProperties(boolean enabled, String issuer, String backchannelAuthenticationEndpoint,
    String tokenEndpoint, String jwksUri, String clientId, String clientSecret, Provider provider,
    Map<String, List<String>> approvers, String rolesClaim, boolean authorizationDetails,
    Duration defaultInterval, Duration httpTimeout, Duration clockSkew, List<String> algorithms,
    DeliveryMode deliveryMode, String publicUrl) {

  /** The CIBA providers whose quirks the client knows. */
  public enum Provider { KEYCLOAK, AUTH0, GENERIC }

  /** CIBA Core 5: how the client learns the answer (push mode, which sends tokens to the client, is not supported). */
  public enum DeliveryMode { POLL, PING }

  @ConstructorBinding
  public CibaProperties {
    issuer = issuer == null ? "" : issuer.trim();
    backchannelAuthenticationEndpoint = backchannelAuthenticationEndpoint == null ? "" : backchannelAuthenticationEndpoint;
    tokenEndpoint = tokenEndpoint == null ? "" : tokenEndpoint;
    jwksUri = jwksUri == null ? "" : jwksUri;
    clientId = clientId == null ? "" : clientId;
    clientSecret = clientSecret == null ? "" : clientSecret;
    provider = provider == null ? Provider.GENERIC : provider;
    Map<String, List<String>> copy = new LinkedHashMap<>();
    if (approvers != null) {
      approvers.forEach((role, hints) -> copy.put(role, hints == null ? List.of() : List.copyOf(hints)));
    }
    approvers = Map.copyOf(copy);
    rolesClaim = rolesClaim == null || rolesClaim.isBlank()
        ? (provider == Provider.KEYCLOAK ? "realm_access.roles" : "roles") : rolesClaim;
    defaultInterval = defaultInterval == null ? Duration.ofSeconds(5) : defaultInterval;
    httpTimeout = httpTimeout == null ? Duration.ofSeconds(10) : httpTimeout;
    clockSkew = clockSkew == null ? Duration.ofSeconds(5) : clockSkew;
    algorithms = algorithms == null || algorithms.isEmpty() ? List.of("RS256", "ES256", "PS256") : List.copyOf(algorithms);
    deliveryMode = deliveryMode == null ? DeliveryMode.POLL : deliveryMode;
    publicUrl = publicUrl == null ? "" : publicUrl.strip();
  }

  /** Poll mode, as before ping mode existed. */
  public CibaProperties(boolean enabled, String issuer, String backchannelAuthenticationEndpoint, String tokenEndpoint,
      String jwksUri, String clientId, String clientSecret, Provider provider, Map<String, List<String>> approvers,
      String rolesClaim, boolean authorizationDetails, Duration defaultInterval, Duration httpTimeout,
      Duration clockSkew, List<String> algorithms) {
    this(enabled, issuer, backchannelAuthenticationEndpoint, tokenEndpoint, jwksUri, clientId, clientSecret, provider,
        approvers, rolesClaim, authorizationDetails, defaultInterval, httpTimeout, clockSkew, algorithms,
        DeliveryMode.POLL, "");
  }

  /** The same settings in ping mode, notified at {@code publicUrl} + {@link CibaEndpoints#NOTIFICATION_PATH}. */
  public CibaProperties ping(String publicUrl) {
    return new CibaProperties(enabled, issuer, backchannelAuthenticationEndpoint, tokenEndpoint, jwksUri, clientId,
        clientSecret, provider, approvers, rolesClaim, authorizationDetails, defaultInterval, httpTimeout, clockSkew,
        algorithms, DeliveryMode.PING, publicUrl);
  }

  /**
   * Where the provider must POST its pings: register this as the client's notification endpoint
   * (Keycloak: client attribute {@code ciba.backchannel.client.notification.endpoint}). Empty in poll mode.
   */
  public String notificationEndpoint() {
    if (deliveryMode != DeliveryMode.PING || publicUrl.isEmpty()) {
      return "";
    }
    String base = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
    return base + CibaEndpoints.NOTIFICATION_PATH;
  }

  /** Refuses a configuration that cannot work, naming the property to fix (never its value). */
  public CibaProperties validate() {
    requireSet(issuer, "issuer");
    requireSet(clientId, "client-id");
    requireSet(clientSecret, "client-secret");
    if (approvers.values().stream().allMatch(List::isEmpty)) {
      throw new IllegalArgumentException("engine.approvals.ciba.approvers names nobody to ask: "
          + "map a policy approver role to at least one login hint");
    }
    if (defaultInterval.isNegative() || defaultInterval.isZero()) {
      throw new IllegalArgumentException("engine.approvals.ciba.default-interval must be positive");
    }
    if (deliveryMode == DeliveryMode.PING) {
      validatePublicUrl();
    }
    return this;
  }

  /** The login hints to ask for a request that any of {@code roles} may approve, each once. */
  public Set<String> hintsFor(Set<String> roles) {
    Set<String> hints = new TreeSet<>();
    roles.forEach(role -> hints.addAll(approvers.getOrDefault(role, List.of())));
    return hints;
  }

  /** The roles of {@code roles} through which {@code hint} is configured as an approver. */
  public Set<String> rolesOf(String hint, Set<String> roles) {
    Set<String> found = new TreeSet<>();
    roles.forEach(role -> {
      if (approvers.getOrDefault(role, List.of()).contains(hint)) {
        found.add(role);
      }
    });
    return found;
  }

  private void validatePublicUrl() {
    String fix = "set engine.approvals.ciba.public-url to the engine's base URL as the CIBA provider reaches it "
        + "(e.g. https://engine.example.com), and register that URL plus " + CibaEndpoints.NOTIFICATION_PATH
        + " as the client's notification endpoint at the provider; or set engine.approvals.ciba.delivery-mode=poll";
    if (publicUrl.isEmpty()) {
      throw new IllegalArgumentException("engine.approvals.ciba.delivery-mode=ping needs the engine's public URL: " + fix);
    }
    URI uri;
    try {
      uri = new URI(publicUrl);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("engine.approvals.ciba.public-url is not a URL: " + fix);
    }
    if (!("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme()))
        || uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null
        || uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException("engine.approvals.ciba.public-url must be an http(s) URL with a host and "
          + "without user info, query or fragment (its value is not repeated here: it may hold a password): " + fix);
    }
  }

  private static void requireSet(String value, String name) {
    if (value.isBlank()) {
      throw new IllegalArgumentException("engine.approvals.ciba." + name + " is required when CIBA approvals are enabled");
    }
  }

  @Override
  public String toString() {
    // a record's toString would print the client secret into any log that prints the properties
    return "CibaProperties[enabled=" + enabled + ", issuer=" + issuer + ", clientId=" + clientId
        + ", provider=" + provider + ", approvers=" + approvers + ", deliveryMode=" + deliveryMode
        + ", publicUrl=" + publicUrl + ", clientSecret=(redacted)]";
  }
}
