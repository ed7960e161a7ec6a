package dev.authoraization.identity;

import dev.authoraization.call.Caller;
import java.util.Collection;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/** A verified bearer token together with the {@link Caller} it stands for. */
public final class CallerAuthentication extends JwtAuthenticationToken {

  private final Caller caller;

  public CallerAuthentication(Jwt jwt, Caller caller) {
    super(jwt, authorities(caller), caller.subject());
    this.caller = caller;
  }

  public Caller caller() {
    return caller;
  }

  private static Collection<GrantedAuthority> authorities(Caller caller) {
    return caller.roles().stream().<GrantedAuthority>map(role -> new SimpleGrantedAuthority("ROLE_" + role)).toList();
  }
}
