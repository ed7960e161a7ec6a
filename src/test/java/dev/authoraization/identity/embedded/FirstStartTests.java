package dev.authoraization.identity.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.support.TestDatabases;
import java.nio.file.Path;
import java.security.Principal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.security.oauth2.server.authorization.JdbcOAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.JdbcRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

/**
 * First start against the real migration on H2 and PostgreSQL: demo credentials are generated,
 * stored hashed, printed once in a framed block and never again; configured ones are never
 * printed; what SAS stores survives a restart.
 */
@ExtendWith(OutputCaptureExtension.class)
class FirstStartTests {

  private static final Pattern PASSWORD = Pattern.compile("user +(\\w+) +password +(\\S+)");
  private static final Pattern SECRET = Pattern.compile("client +demo-agent +secret +(\\S+)");
  private final PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();

  static Stream<?> databases() {
    return TestDatabases.both();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void firstStartPrintsGeneratedCredentialsOnceAndStoresOnlyHashes(DataSource db, CapturedOutput output) {
    start(db, properties(List.of(), ""));

    Matcher passwords = PASSWORD.matcher(output.getOut());
    Map<String, String> printed = new HashMap<>();
    while (passwords.find()) {
      printed.put(passwords.group(1), passwords.group(2));
    }
    Matcher secret = SECRET.matcher(output.getOut());
    assertThat(secret.find()).as("demo-agent secret printed").isTrue();
    assertThat(printed).containsOnlyKeys("alice", "admin");
    assertThat(printed.values()).allSatisfy(password -> assertThat(password).hasSizeGreaterThanOrEqualTo(16));
    assertThat(output.getOut()).contains("SHOWN ONCE").contains("=".repeat(100));

    JdbcClient jdbc = JdbcClient.create(db);
    for (Map.Entry<String, String> user : printed.entrySet()) {
      String hash = jdbc.sql("SELECT password_hash FROM identity_user WHERE username = ?").param(user.getKey())
          .query(String.class).single();
      assertThat(hash).startsWith("{bcrypt}").doesNotContain(user.getValue());
      assertThat(encoder.matches(user.getValue(), hash)).isTrue();
    }
    String storedSecret = jdbc.sql("SELECT client_secret FROM oauth2_registered_client WHERE client_id = 'demo-agent'")
        .query(String.class).single();
    assertThat(storedSecret).startsWith("{bcrypt}").doesNotContain(secret.group(1));
    assertThat(encoder.matches(secret.group(1), storedSecret)).isTrue();
    UserDetails alice = new EmbeddedUsers(jdbc).loadUserByUsername("alice");
    assertThat(alice.getAuthorities()).extracting(Object::toString).containsExactly("ROLE_developer");
    assertThat(new EmbeddedUsers(jdbc).roles("admin")).contains(List.of("approver"));

    // Second start on the same database: nothing new, nothing printed.
    start(db, properties(List.of(), ""));

    assertThat(count(output.getOut(), "SHOWN ONCE")).isEqualTo(1);
    for (String password : printed.values()) {
      assertThat(count(output.getAll(), password)).as("a password appears only in the one block").isEqualTo(1);
    }
    assertThat(count(output.getAll(), secret.group(1))).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void configuredCredentialsAreStoredHashedAndNeverPrinted(DataSource db, CapturedOutput output) {
    String password = "configured-password-" + System.nanoTime();
    String secret = "configured-secret-" + System.nanoTime();

    start(db, properties(List.of(new EmbeddedIdentityProperties.User("carol", password, List.of("developer"))),
        secret));

    assertThat(output.getAll()).doesNotContain(password).doesNotContain(secret).doesNotContain("SHOWN ONCE");
    JdbcClient jdbc = JdbcClient.create(db);
    assertThat(jdbc.sql("SELECT username FROM identity_user").query(String.class).list()).containsExactly("carol");
    String hash = jdbc.sql("SELECT password_hash FROM identity_user").query(String.class).single();
    assertThat(encoder.matches(password, hash)).isTrue();

    String changed = password + "-changed";
    start(db, properties(List.of(new EmbeddedIdentityProperties.User("carol", changed, List.of("approver"))), secret));

    String rehashed = jdbc.sql("SELECT password_hash FROM identity_user").query(String.class).single();
    assertThat(encoder.matches(changed, rehashed)).isTrue();
    assertThat(new EmbeddedUsers(jdbc).roles("carol")).contains(List.of("approver"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void anIssuedRefreshTokenIsFoundAgainByAnotherNodeOrAfterARestart(DataSource db) {
    start(db, properties(List.of(), ""));
    JdbcTemplate jdbc = new JdbcTemplate(db);
    var clients = new JdbcRegisteredClientRepository(jdbc);
    RegisteredClient web = clients.findByClientId(FirstStart.WEB_CLIENT);
    assertThat(web).isNotNull();
    Instant now = Instant.now();
    var user = new EmbeddedUsers(JdbcClient.create(db)).loadUserByUsername("alice");
    OAuth2Authorization authorization = OAuth2Authorization.withRegisteredClient(web)
        .principalName("alice")
        .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
        .authorizedScopes(Set.of("openid"))
        .attribute(Principal.class.getName(),
            UsernamePasswordAuthenticationToken.authenticated(user, null, user.getAuthorities()))
        .token(new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, "access-" + now.toEpochMilli(), now,
            now.plusSeconds(300)), metadata -> metadata.put(OAuth2Authorization.Token.CLAIMS_METADATA_NAME,
                // mutable collections, as SAS builds them: its Jackson allowlist refuses List.of/Map.of
                new HashMap<>(Map.of("sub", "alice", "aud", new ArrayList<>(List.of("authoraization-engine")),
                    "roles", new ArrayList<>(List.of("developer"))))))
        .refreshToken(new OAuth2RefreshToken("refresh-" + now.toEpochMilli(), now, now.plusSeconds(3600)))
        .build();
    new JdbcOAuth2AuthorizationService(jdbc, clients).save(authorization);

    var otherNode = new JdbcOAuth2AuthorizationService(new JdbcTemplate(db), new JdbcRegisteredClientRepository(jdbc));
    OAuth2Authorization found = otherNode.findByToken("refresh-" + now.toEpochMilli(), OAuth2TokenType.REFRESH_TOKEN);

    assertThat(found).isNotNull();
    assertThat(found.getPrincipalName()).isEqualTo("alice");
    assertThat(found.getAccessToken().getClaims()).containsEntry("roles", List.of("developer"));
    assertThat(found.<UsernamePasswordAuthenticationToken>getAttribute(Principal.class.getName()).getName())
        .isEqualTo("alice");
  }

  @Test
  void aNodeThatLosesTheFirstStartRaceNeitherFailsNorPrints(CapturedOutput output) {
    DataSource db = TestDatabases.h2();
    start(db, properties(List.of(), ""));
    int printedBlocks = count(output.getOut(), "SHOWN ONCE");
    // A second node that looked before the first one wrote: it sees no users and no clients.
    var repository = new JdbcRegisteredClientRepository(new JdbcTemplate(db));
    Set<String> asked = new HashSet<>();
    RegisteredClientRepository stale = new RegisteredClientRepository() {
      @Override
      public void save(RegisteredClient client) {
        repository.save(client);
      }

      @Override
      public RegisteredClient findById(String id) {
        return repository.findById(id);
      }

      @Override
      public RegisteredClient findByClientId(String clientId) {
        return asked.add(clientId) ? null : repository.findByClientId(clientId);
      }
    };
    EmbeddedUsers staleUsers = new EmbeddedUsers(JdbcClient.create(db)) {
      @Override
      Optional<Row> find(String username) {
        return Optional.empty();
      }
    };

    new FirstStart(properties(List.of(), ""), staleUsers, stale, encoder, System.out).run();

    assertThat(count(output.getOut(), "SHOWN ONCE")).isEqualTo(printedBlocks).isEqualTo(1);
    assertThat(JdbcClient.create(db).sql("SELECT count(*) FROM oauth2_registered_client").query(Integer.class)
        .single()).isEqualTo(2);
  }

  private static void start(DataSource db, EmbeddedIdentityProperties properties) {
    JdbcTemplate jdbc = new JdbcTemplate(db);
    new FirstStart(properties, new EmbeddedUsers(JdbcClient.create(db)), new JdbcRegisteredClientRepository(jdbc),
        PasswordEncoderFactories.createDelegatingPasswordEncoder(), System.out).run();
  }

  private static EmbeddedIdentityProperties properties(List<EmbeddedIdentityProperties.User> users, String secret) {
    return new EmbeddedIdentityProperties(true, "http://localhost:8080", Path.of("unused"), List.of(), users, secret,
        null, null);
  }

  private static int count(String text, String part) {
    int count = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
      count++;
    }
    return count;
  }
}
