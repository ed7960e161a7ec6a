package dev.authoraization.credential;

import java.time.Duration;
import java.time.Instant;

/**
 * A token a vault obtained from an upstream (Auth0, Keycloak) and keeps for reuse, with when it
 * expires. {@code toString()} never shows the token.
 */
public record HeldToken(String token, Instant expiresAt) {

  /** Whether it may still be handed out at {@code now}, leaving {@code margin} before it expires. */
  public boolean freshAt(Instant now, Duration margin) {
    return now.isBefore(expiresAt.minus(margin));
  }

  @Override
  public String toString() {
    return "HeldToken[(redacted), expiresAt=" + expiresAt + "]";
  }
}
