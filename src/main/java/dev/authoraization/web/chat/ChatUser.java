package dev.authoraization.web.chat;

import dev.authoraization.call.Caller;
import java.util.Collection;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.security.oauth2.core.oidc.OidcUserInfo;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;
import org.springframework.security.oauth2.core.oidc.IdTokenClaimNames;

/**
 * A user signed in to the web UI: the OpenID Connect user of the session, and the {@link Caller}
 * established from the access token exactly as the REST door would (issuer, subject, roles). The
 * tokens stay in the server's session; the browser holds only the session cookie.
 */
public final class ChatUser extends DefaultOidcUser {

  private final transient Caller caller;

  public ChatUser(Caller caller, Collection<? extends GrantedAuthority> authorities, OidcIdToken idToken,
      @Nullable OidcUserInfo userInfo) {
    super(authorities, idToken, userInfo, IdTokenClaimNames.SUB);
    this.caller = Objects.requireNonNull(caller, "caller");
  }

  public Caller caller() {
    return caller;
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof ChatUser user && super.equals(user) && caller.equals(user.caller);
  }

  @Override
  public int hashCode() {
    return super.hashCode() * 31 + caller.hashCode();
  }
}
