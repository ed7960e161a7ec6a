package dev.authoraization.web.session;

import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AuthenticationTrustResolver;
import org.springframework.security.authentication.AuthenticationTrustResolverImpl;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.IndexResolver;
import org.springframework.session.PrincipalNameIndexResolver;
import org.springframework.session.Session;

/**
 * Names the user a session belongs to ({@code spring_session.principal_name}), so an operator can
 * find and end one user's sessions. Spring Session's {@link PrincipalNameIndexResolver} reads an
 * explicit name attribute or the standard security context key; the engine keeps a second sign-in
 * (the chat's) under a key of its own, which it never sees, so those sessions had no name. This
 * resolver asks Spring Session's first and falls back to the signed-in user under that key.
 *
 * <p>Spring Session JDBC writes the name when it inserts or updates the session row. Setting an
 * attribute under another key does not by itself mark the row for update, but the request that
 * signs in does: {@code SessionRepositoryFilter} touches the last access time of every session it
 * loads, and the sign-in changes the session id.
 */
public final class SignedInPrincipal implements IndexResolver<Session> {

  private static final AuthenticationTrustResolver TRUST = new AuthenticationTrustResolverImpl();

  private final PrincipalNameIndexResolver<Session> standard = new PrincipalNameIndexResolver<>();
  private final String contextKey;

  /** @param contextKey the session attribute holding the other sign-in's {@link SecurityContext} */
  public SignedInPrincipal(String contextKey) {
    this.contextKey = contextKey;
  }

  @Override
  public Map<String, String> resolveIndexesFor(Session session) {
    String name = standard.resolveIndexValueFor(session);
    if (name == null) {
      name = other(session);
    }
    return name == null ? Map.of() : Map.of(FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME, name);
  }

  private @Nullable String other(Session session) {
    return session.getAttribute(contextKey) instanceof SecurityContext context
        && TRUST.isAuthenticated(context.getAuthentication()) // not anonymous, not null
        ? context.getAuthentication().getName() : null;
  }
}
