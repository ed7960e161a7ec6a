package dev.authoraization.identity.embedded;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.security.crypto.keygen.Base64StringKeyGenerator;
import org.springframework.security.crypto.keygen.StringKeyGenerator;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;

/**
 * Creates the demo users and the two clients when they do not exist yet, and prints the generated
 * passwords and secret once, on the console, in one framed block. They are stored only as hashes,
 * so they can never be shown again; nothing else ever prints or logs them.
 */
public final class FirstStart {

  public static final String WEB_CLIENT = "engine-web";
  public static final String AGENT_CLIENT = "demo-agent";
  /** Client setting with the roles a client-credentials token carries (space-separated). */
  static final String CLIENT_ROLES = "settings.client.engine-roles";

  private static final Logger log = LoggerFactory.getLogger(FirstStart.class);
  private static final List<Demo> DEMO_USERS = List.of(
      new Demo("alice", List.of("developer")), new Demo("admin", List.of("approver")));

  /** A demo user whose password is generated. */
  private record Demo(String username, List<String> roles) {}

  private final EmbeddedIdentityProperties properties;
  private final EmbeddedUsers users;
  private final RegisteredClientRepository clients;
  private final PasswordEncoder encoder;
  private final PrintStream console;
  // 18 random bytes from SecureRandom: 24 URL-safe characters, about 144 bits.
  private final StringKeyGenerator secrets = new Base64StringKeyGenerator(Base64.getUrlEncoder().withoutPadding(), 18);

  public FirstStart(EmbeddedIdentityProperties properties, EmbeddedUsers users, RegisteredClientRepository clients,
      PasswordEncoder encoder, PrintStream console) {
    this.properties = properties;
    this.users = users;
    this.clients = clients;
    this.encoder = encoder;
    this.console = console;
  }

  /** Idempotent: a second start with the same database creates and prints nothing. */
  public void run() {
    List<String> shown = new ArrayList<>();
    if (properties.users().isEmpty()) {
      for (Demo demo : DEMO_USERS) {
        if (users.find(demo.username()).isEmpty()) {
          String password = secrets.generateKey();
          if (users.create(demo.username(), encoder.encode(password), demo.roles())) {
            shown.add(String.format("  user    %-11s password  %s   (roles: %s)", demo.username(), password,
                String.join(", ", demo.roles())));
          }
        }
      }
    } else {
      for (EmbeddedIdentityProperties.User configured : properties.users()) {
        configure(configured);
      }
    }
    saveWebClient();
    saveAgentClient().ifPresent(secret -> shown.add(String.format(
        "  client  %-11s secret    %s   (client credentials; tokens carry roles: developer)", AGENT_CLIENT, secret)));
    if (!shown.isEmpty()) {
      print(shown);
      log.info("Generated demo credentials were printed once on the console; only their hashes are stored");
    }
  }

  private void configure(EmbeddedIdentityProperties.User user) {
    var existing = users.find(user.username());
    if (existing.isEmpty()) {
      users.create(user.username(), encoder.encode(user.password()), user.roles());
    } else if (!encoder.matches(user.password(), existing.get().passwordHash())
        || !existing.get().roles().equals(user.roles())) {
      users.update(user.username(), encoder.encode(user.password()), user.roles());
    }
  }

  private void saveWebClient() {
    RegisteredClient existing = clients.findByClientId(WEB_CLIENT);
    RegisteredClient web = RegisteredClient.withId(existing == null ? UUID.randomUUID().toString() : existing.getId())
        .clientId(WEB_CLIENT)
        .clientName("AuthorAIzation Engine web UI")
        .clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
        .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
        .authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
        .redirectUris(uris -> uris.addAll(properties.redirectUris()))
        .scope(OidcScopes.OPENID)
        .scope(OidcScopes.PROFILE)
        .clientSettings(ClientSettings.builder().requireProofKey(true).requireAuthorizationConsent(false).build())
        .tokenSettings(tokenSettings())
        .build();
    saveUnlessRaced(web);
  }

  /** @return the secret to print, when one was generated now */
  private Optional<String> saveAgentClient() {
    RegisteredClient existing = clients.findByClientId(AGENT_CLIENT);
    String configured = properties.demoAgentSecret();
    if (existing != null && (configured.isEmpty() || encoder.matches(configured, existing.getClientSecret()))) {
      return Optional.empty();
    }
    String secret = configured.isEmpty() ? secrets.generateKey() : configured;
    RegisteredClient agent = RegisteredClient.withId(existing == null ? UUID.randomUUID().toString() : existing.getId())
        .clientId(AGENT_CLIENT)
        .clientName("Demo agent (README tour)")
        .clientSecret(encoder.encode(secret))
        .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
        .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
        .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
        .clientSettings(ClientSettings.withSettings(Map.of(CLIENT_ROLES, "developer")).requireProofKey(false)
            .requireAuthorizationConsent(false).build())
        .tokenSettings(tokenSettings())
        .build();
    if (!saveUnlessRaced(agent)) {
      return Optional.empty();
    }
    return configured.isEmpty() ? Optional.of(secret) : Optional.empty();
  }

  /**
   * Saves a client; false when another node starting at the same time registered it first (SAS
   * refuses a second client with the same {@code client_id}), in which case its copy stands.
   */
  private boolean saveUnlessRaced(RegisteredClient client) {
    try {
      clients.save(client);
      return true;
    } catch (DataIntegrityViolationException | IllegalArgumentException raced) {
      if (clients.findByClientId(client.getClientId()) == null) {
        throw raced;
      }
      log.info("Client {} was registered by another node meanwhile", client.getClientId());
      return false;
    }
  }

  private TokenSettings tokenSettings() {
    return TokenSettings.builder()
        .accessTokenTimeToLive(properties.accessTokenTimeToLive())
        .refreshTokenTimeToLive(properties.refreshTokenTimeToLive())
        // Rotation: each refresh returns a new refresh token and the old one stops working, which
        // is what OAuth 2.1 asks of refresh tokens held by public clients.
        .reuseRefreshTokens(false)
        .build();
  }

  private void print(List<String> lines) {
    String rule = "=".repeat(100);
    StringBuilder block = new StringBuilder();
    block.append('\n').append(rule).append('\n')
        .append("  AuthorAIzation Engine: demo credentials, generated at first start. SHOWN ONCE, NEVER AGAIN.\n")
        .append("  Only their hashes are stored. Issuer: ").append(properties.issuer()).append('\n')
        .append(rule).append('\n');
    lines.forEach(line -> block.append(line).append('\n'));
    block.append(rule).append('\n')
        .append("  Lost them? Set engine.identity.embedded.users[n].username/password/roles and\n")
        .append("  engine.identity.embedded.demo-agent-secret, or start with an empty database.\n")
        .append(rule).append('\n');
    console.print(block);
    console.flush();
  }
}
