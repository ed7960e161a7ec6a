package dev.authoraization.identity;

import dev.authoraization.call.Caller;
import dev.authoraization.credential.SubjectTokens;
import java.util.Optional;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * The verified bearer token of the request on this thread, handed to a federated vault only when
 * it stands for the very caller the credential is for (same issuer and subject), so one user's
 * token is never exchanged for another user's credential.
 */
public final class BearerSubjectTokens implements SubjectTokens {

  @Override
  public Optional<String> of(Caller caller) {
    Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
    if (authentication instanceof CallerAuthentication verified
        && verified.caller().principal().equals(caller.principal())) {
      return Optional.of(verified.getToken().getTokenValue());
    }
    return Optional.empty();
  }
}
