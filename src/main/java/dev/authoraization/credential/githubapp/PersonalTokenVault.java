package dev.authoraization.credential.githubapp;

import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.credential.Credential;
import dev.authoraization.credential.CredentialRequest;
import dev.authoraization.credential.CredentialVault;
import java.time.Clock;
import java.time.Duration;

/**
 * A configured personal access token for every GitHub call: the flagged fallback for the sandbox
 * and development. It cannot be narrowed, so every credential says {@code broad=true} and the audit
 * record shows it.
 */
public class PersonalTokenVault implements CredentialVault {

  /** How long the engine holds the credential for one call (not the token's own lifetime, unknown here). */
  static final Duration HOLD = Duration.ofMinutes(15);

  private final String token;
  private final Clock clock;

  public PersonalTokenVault(String token, Clock clock) {
    if (token.isBlank()) {
      throw new IllegalArgumentException("engine.github.token is empty");
    }
    this.token = token;
    this.clock = clock;
  }

  @Override
  public boolean supports(String kind) {
    return "github".equals(kind);
  }

  @Override
  public Credential issue(CredentialRequest request) {
    if (!supports(request.need().kind())) {
      throw new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE,
          "The personal token vault cannot issue a " + request.need().kind() + " credential.");
    }
    return new Credential(token, "personal access token (broad: not narrowed to the call)", true,
        clock.instant().plus(HOLD), () -> {});
  }

  @Override
  public String toString() {
    return "PersonalTokenVault[token=[redacted]]";
  }
}
