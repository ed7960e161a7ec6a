package dev.authoraization.credential;

import dev.authoraization.call.Caller;
import java.util.Optional;

/**
 * The caller's own token at their identity provider, which a federated vault (Auth0 Token Vault,
 * Keycloak broker tokens) presents to fetch the user's linked credential. Only the bearer token
 * of the request being served is at hand: a call that runs later (after an approval) finds none,
 * and the vault then relies on what it cached when the call was parked.
 */
@FunctionalInterface
public interface SubjectTokens {

  /** The token the caller presented, if it is at hand and belongs to exactly this caller. */
  Optional<String> of(Caller caller);

  static SubjectTokens none() {
    return caller -> Optional.empty();
  }
}
