package dev.authoraization.web.chat;

import dev.authoraization.call.Caller;
import java.io.Serial;
import java.io.Serializable;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.core.oidc.IdTokenClaimNames;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.security.oauth2.core.oidc.OidcUserInfo;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;

/**
 * A user signed in to the web UI: the OpenID Connect user of the session, and the {@link Caller}
 * established from the access token exactly as the REST door would (issuer, subject, roles). The
 * tokens stay in the server's session; the browser holds only the session cookie.
 *
 * <p>The session is stored in the database and read by whichever node serves the next request
 * (docs/adr/0016-sessions-in-the-database.md), so this object is serialized: the caller is kept
 * as plain serializable values ({@link Caller} holds an {@code Optional}, which is not).
 */
public final class ChatUser extends DefaultOidcUser {

  @Serial
  private static final long serialVersionUID = 1L;

  private final StoredCaller caller;

  public ChatUser(Caller caller, Collection<? extends GrantedAuthority> authorities, OidcIdToken idToken,
      @Nullable OidcUserInfo userInfo) {
    super(authorities, idToken, userInfo, IdTokenClaimNames.SUB);
    this.caller = StoredCaller.of(Objects.requireNonNull(caller, "caller"));
  }

  public Caller caller() {
    return caller.toCaller();
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof ChatUser user && super.equals(user) && caller.equals(user.caller);
  }

  @Override
  public int hashCode() {
    return super.hashCode() * 31 + caller.hashCode();
  }

  /** The {@link Caller}'s values in a serializable form; {@code agent} is null when no agent acts. */
  private record StoredCaller(String subject, String issuer, Set<String> roles, @Nullable String agent)
      implements Serializable {

    static StoredCaller of(Caller caller) {
      return new StoredCaller(caller.subject(), caller.issuer(), Set.copyOf(caller.roles()),
          caller.agent().orElse(null));
    }

    Caller toCaller() {
      return new Caller(subject, issuer, roles, Optional.ofNullable(agent));
    }
  }
}
