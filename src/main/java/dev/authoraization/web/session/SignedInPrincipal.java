package dev.authoraization.web.session;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AuthenticationTrustResolver;
import org.springframework.security.authentication.AuthenticationTrustResolverImpl;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.IndexResolver;
import org.springframework.session.Session;

/**
 * Names the user a session belongs to ({@code spring_session.principal_name}), so an operator can
 * find and end one user's sessions. Spring Session's default looks only at the standard security
 * context key; the engine keeps a second sign-in (the chat's) under a key of its own, which the
 * default never sees, so those sessions had no name. This resolver reads the given keys in order
 * and takes the first signed-in user; an explicit {@code PRINCIPAL_NAME_INDEX_NAME} attribute still
 * wins, as in Spring Session.
 *
 * <p>Spring Session JDBC writes the name when it inserts or updates the session row. Setting an
 * attribute under another key does not by itself mark the row for update, but the request that
 * signs in does: {@code SessionRepositoryFilter} touches the last access time of every session it
 * loads, and the sign-in changes the session id.
 */
public final class SignedInPrincipal implements IndexResolver<Session> {

  private static final AuthenticationTrustResolver TRUST = new AuthenticationTrustResolverImpl();

  private final List<String> contextKeys;

  /** @param contextKeys session attributes holding a {@link SecurityContext}, the one to prefer first */
  public SignedInPrincipal(List<String> contextKeys) {
    this.contextKeys = List.copyOf(contextKeys);
  }

  @Override
  public Map<String, String> resolveIndexesFor(Session session) {
    String name = name(session);
    return name == null ? Map.of() : Map.of(FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME, name);
  }

  private @Nullable String name(Session session) {
    Object explicit = session.getAttribute(FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME);
    if (explicit instanceof String name) {
      return name;
    }
    for (String key : contextKeys) {
      if (session.getAttribute(key) instanceof SecurityContext context
          && TRUST.isAuthenticated(context.getAuthentication())) { // not anonymous, not null
        return context.getAuthentication().getName();
      }
    }
    return null;
  }
}
