package dev.authoraization.web.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.MapSession;

/** Which user a session is filed under, when it holds one sign-in, two, or none. */
class SignedInPrincipalTests {

  static final String STANDARD = "SPRING_SECURITY_CONTEXT";
  static final String CHAT = "ENGINE_WEB_UI_SECURITY_CONTEXT";
  static final SignedInPrincipal RESOLVER = new SignedInPrincipal(CHAT);

  @Test
  void chatSignInAloneNamesTheSession() {
    MapSession session = new MapSession();
    session.setAttribute(CHAT, signedIn("carol"));
    assertThat(RESOLVER.resolveIndexesFor(session))
        .containsExactly(Map.entry(FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME, "carol"));
  }

  @Test
  void theStandardSignInIsPreferredWhenBothAreThere() {
    MapSession session = new MapSession();
    session.setAttribute(CHAT, signedIn("carol"));
    session.setAttribute(STANDARD, signedIn("bob"));
    assertThat(RESOLVER.resolveIndexesFor(session))
        .containsEntry(FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME, "bob");
  }

  @Test
  void anExplicitPrincipalNameWinsAsInSpringSession() {
    MapSession session = new MapSession();
    session.setAttribute(CHAT, signedIn("carol"));
    session.setAttribute(FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME, "dave");
    assertThat(RESOLVER.resolveIndexesFor(session))
        .containsEntry(FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME, "dave");
  }

  @Test
  void anonymousOrUnrelatedAttributesNameNobody() {
    MapSession session = new MapSession();
    session.setAttribute(CHAT, new SecurityContextImpl(new AnonymousAuthenticationToken("key", "anonymousUser",
        AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS"))));
    session.setAttribute(STANDARD, new SecurityContextImpl());
    session.setAttribute("OTHER_CONTEXT", signedIn("eve")); // a key the resolver was not given
    assertThat(RESOLVER.resolveIndexesFor(session)).isEmpty();
  }

  private static SecurityContextImpl signedIn(String name) {
    return new SecurityContextImpl(UsernamePasswordAuthenticationToken.authenticated(name, null,
        AuthorityUtils.createAuthorityList("ROLE_developer")));
  }
}
