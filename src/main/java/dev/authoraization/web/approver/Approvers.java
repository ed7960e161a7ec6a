package dev.authoraization.web.approver;

import dev.authoraization.call.Caller;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

/** The signed-in approver as a {@link Caller} of the embedded provider's issuer. */
final class Approvers {

  private Approvers() {}

  static Caller of(Authentication authentication, String issuer) {
    Set<String> roles = authentication.getAuthorities().stream().map(GrantedAuthority::getAuthority)
        .filter(a -> a != null && a.startsWith("ROLE_")).map(a -> a.substring("ROLE_".length()))
        .collect(Collectors.toSet());
    return Caller.of(authentication.getName(), issuer, roles);
  }
}
