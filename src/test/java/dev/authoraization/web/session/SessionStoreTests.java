package dev.authoraization.web.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.call.Caller;
import dev.authoraization.web.chat.ChatUser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.springframework.web.servlet.FlashMap;
import javax.management.BadAttributeValueExpException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.core.convert.ConversionService;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.security.web.csrf.DefaultCsrfToken;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;
import java.util.function.Consumer;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.Session;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The session tables of migration V16 on H2 and PostgreSQL, through Spring Session's own
 * repository with the engine's attribute codec: what one node writes another reads, bytes that
 * name a class outside the allowlist read as absent, and expired sessions are refused and deleted.
 */
class SessionStoreTests {

  static final String CONTEXT = "ENGINE_WEB_UI_SECURITY_CONTEXT";
  static final String NONCES = "dev.authoraization.web.approver.ApproverController.nonces";

  @ParameterizedTest
  @MethodSource("dev.authoraization.support.TestDatabases#both")
  void aSignedInSessionWrittenByOneNodeIsReadByAnother(DataSource db) {
    Caller alice = new Caller("alice", "http://localhost:8080", Set.of("developer", "approver"), Optional.of("cli"));
    Session written = save(node(db), session -> {
      session.setAttribute(CONTEXT, new SecurityContextImpl(token(alice)));
      session.setAttribute(NONCES, new HashMap<>(Map.of("approval-1", "nonce-1")));
      session.setAttribute("org.springframework.security.web.csrf.HttpSessionCsrfTokenRepository.CSRF_TOKEN",
          new DefaultCsrfToken("X-CSRF-TOKEN", "_csrf", "csrf-value"));
      session.setAttribute("conversation", "c-42");
    });

    Session read = node(db).findById(written.getId());

    assertThat(read).isNotNull();
    SecurityContextImpl context = read.getAttribute(CONTEXT);
    OAuth2AuthenticationToken authentication = (OAuth2AuthenticationToken) context.getAuthentication();
    ChatUser user = (ChatUser) authentication.getPrincipal();
    assertThat(user.caller()).isEqualTo(alice);
    assertThat(user.getIdToken().getTokenValue()).isEqualTo("id-token");
    assertThat(authentication.getAuthorities()).extracting(Object::toString)
        .containsExactlyInAnyOrder("ROLE_developer", "ROLE_approver");
    assertThat(read.<Map<String, String>>getAttribute(NONCES)).containsEntry("approval-1", "nonce-1");
    assertThat(read.<DefaultCsrfToken>getAttribute(
        "org.springframework.security.web.csrf.HttpSessionCsrfTokenRepository.CSRF_TOKEN").getToken())
        .isEqualTo("csrf-value");
    assertThat(read.<String>getAttribute("conversation")).isEqualTo("c-42");
  }

  @ParameterizedTest
  @MethodSource("dev.authoraization.support.TestDatabases#both")
  void anAttributeRewrittenInTheTableToAGadgetClassReadsAsAbsentAndTheRestOfTheSessionStays(DataSource db)
      throws IOException {
    Session written = save(node(db), session -> {
      session.setAttribute(CONTEXT, new SecurityContextImpl(token(Caller.of("alice", "http://localhost:8080",
          Set.of("developer")))));
      session.setAttribute("conversation", "c-42");
    });
    // someone with write access to the table plants the entry point of a classic gadget chain
    new JdbcTemplate(db).update("UPDATE spring_session_attributes SET attribute_bytes = ? WHERE attribute_name = ?",
        serialized(new BadAttributeValueExpException("planted")), CONTEXT);

    Session read = node(db).findById(written.getId());

    assertThat(read).isNotNull();
    assertThat(read.<Object>getAttribute(CONTEXT)).as("not deserialized: the user is anonymous").isNull();
    assertThat(read.<String>getAttribute("conversation")).isEqualTo("c-42");
  }

  @ParameterizedTest
  @MethodSource("dev.authoraization.support.TestDatabases#both")
  void anExpiredSessionIsRefusedAndTheCleanupDeletesItsRows(DataSource db) {
    JdbcIndexedSessionRepository a = node(db);
    Session stale = save(a, session -> {
      session.setAttribute("conversation", "c-1");
      session.setMaxInactiveInterval(Duration.ofMinutes(30));
      session.setLastAccessedTime(Instant.now().minus(Duration.ofMinutes(31)));
    });
    Session live = save(a, session -> session.setAttribute("conversation", "c-2"));

    assertThat(node(db).findById(stale.getId())).as("expired: refused when read").isNull();
    a.cleanUpExpiredSessions();

    JdbcTemplate jdbc = new JdbcTemplate(db);
    assertThat((int) jdbc.queryForObject("SELECT count(*) FROM spring_session WHERE session_id = ?", Integer.class,
        stale.getId())).isZero();
    assertThat((int) jdbc.queryForObject("SELECT count(*) FROM spring_session_attributes a JOIN spring_session s "
        + "ON a.session_primary_id = s.primary_id WHERE s.session_id = ?", Integer.class, live.getId())).isOne();
    assertThat(node(db).findById(live.getId())).isNotNull();
  }

  @ParameterizedTest
  @MethodSource("dev.authoraization.support.TestDatabases#both")
  void aLongOpenIdSubjectFitsThePrincipalNameColumn(DataSource db) {
    String subject = "s".repeat(255); // OpenID Connect Core 1.0 §2: at most 255 ASCII characters
    Session session = save(node(db),
        s -> s.setAttribute(FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME, subject));

    assertThat(node(db).findByPrincipalName(subject)).containsOnlyKeys(session.getId());
  }

  @ParameterizedTest
  @MethodSource("dev.authoraization.support.TestDatabases#both")
  void aSessionThatSignsInToTheChatAloneIsFoundByItsUsersSubject(DataSource db) {
    String subject = "chat-only-" + UUID.randomUUID(); // the databases are shared with other tests
    JdbcIndexedSessionRepository node = node(db);
    node.setIndexResolver(new SignedInPrincipal(CONTEXT));
    // as in a browser: the session exists (CSRF token, the pending authorization request) before the sign-in
    Session before = save(node, s -> s.setAttribute("conversation", "c-1"));
    assertThat(node.findByPrincipalName(subject)).isEmpty();

    JdbcIndexedSessionRepository other = node(db);
    other.setIndexResolver(new SignedInPrincipal(CONTEXT));
    update(other, before.getId(), s -> {
      s.setLastAccessedTime(Instant.now()); // what SessionRepositoryFilter does on every request
      s.setAttribute(CONTEXT,
          new SecurityContextImpl(token(Caller.of(subject, "http://localhost:8080", Set.of("developer")))));
    });

    assertThat(node.findByPrincipalName(subject)).containsOnlyKeys(before.getId());
    assertThat(new JdbcTemplate(db).queryForObject(
        "SELECT principal_name FROM spring_session WHERE session_id = ?", String.class, before.getId()))
        .isEqualTo(subject);
  }

  @Test
  void aRedirectNoticeSurvivesTheCodecAsSpringMvcStoresIt() throws IOException {
    FlashMap notice = new FlashMap();
    notice.put("notice", "Approved A1B2.");
    notice.setTargetRequestPath("/approvals");
    notice.addTargetRequestParam("page", "1");
    notice.startExpirationPeriod(180);

    Object read = new SessionAttributeCodec(getClass().getClassLoader())
        .read(serialized(new CopyOnWriteArrayList<>(List.of(notice)))); // SessionFlashMapManager's list

    assertThat(read).isInstanceOf(CopyOnWriteArrayList.class).asInstanceOf(InstanceOfAssertFactories.LIST)
        .singleElement().isInstanceOfSatisfying(FlashMap.class, map -> {
          assertThat((Map<String, Object>) map).containsEntry("notice", "Approved A1B2.");
          assertThat(map.getTargetRequestPath()).isEqualTo("/approvals");
          assertThat(map.isExpired()).isFalse();
        });
  }

  @Test
  void theCodecRefusesClassesOutsideTheAllowlistAndNestingBeyondItsDepth() throws IOException {
    SessionAttributeCodec codec = new SessionAttributeCodec(getClass().getClassLoader());
    assertThat(codec.read(serialized(new BadAttributeValueExpException("x")))).isNull();
    assertThat(codec.read(serialized(new java.text.SimpleDateFormat()))).isNull();
    List<Object> deep = new ArrayList<>();
    List<Object> cursor = deep;
    for (int i = 0; i < 100; i++) {
      List<Object> next = new ArrayList<>();
      cursor.add(next);
      cursor = next;
    }
    assertThat(codec.read(serialized((Serializable) deep))).isNull();
    assertThat(codec.read(new byte[] {1, 2, 3})).as("not a serialization stream").isNull();
    assertThat(codec.read(serialized(new HashMap<>(Map.of("a", List.of(1L, Instant.EPOCH))))))
        .isEqualTo(Map.of("a", List.of(1L, Instant.EPOCH)));
  }

  private static JdbcIndexedSessionRepository node(DataSource db) {
    JdbcIndexedSessionRepository repository = new JdbcIndexedSessionRepository(new JdbcTemplate(db),
        new TransactionTemplate(new DataSourceTransactionManager(db)));
    repository.setConversionService(conversions());
    return repository;
  }

  private static <S extends Session> Session save(FindByIndexNameSessionRepository<S> repository,
      Consumer<Session> change) {
    S session = repository.createSession();
    change.accept(session);
    repository.save(session);
    return session;
  }

  private static <S extends Session> void update(FindByIndexNameSessionRepository<S> repository, String id,
      Consumer<Session> change) {
    S session = repository.findById(id);
    change.accept(session);
    repository.save(session);
  }

  private static ConversionService conversions() {
    return new SessionStoreConfiguration().springSessionConversionService();
  }

  private static OAuth2AuthenticationToken token(Caller caller) {
    OidcIdToken idToken = OidcIdToken.withTokenValue("id-token").subject(caller.subject()).issuer(caller.issuer())
        .issuedAt(Instant.now()).expiresAt(Instant.now().plusSeconds(300)).build();
    List<SimpleGrantedAuthority> roles = caller.roles().stream().map(r -> new SimpleGrantedAuthority("ROLE_" + r))
        .toList();
    return new OAuth2AuthenticationToken(new ChatUser(caller, roles, idToken, null), roles, "engine");
  }

  private static byte[] serialized(Serializable value) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    return bytes.toByteArray();
  }
}
