package dev.authoraization.credential;

import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * GitHub credentials from the caller's own linked identity: the token stored for the caller
 * ({@code owner} = {@code issuer#subject}, see {@link dev.authoraization.call.Caller#principal()}).
 * When the caller has none, an explicitly enabled fallback ({@code engine.credentials.fallback.enabled})
 * issues the service credential instead, and its description, which the audit record keeps, starts
 * with {@value #FALLBACK_MARKER}. Without the fallback the call fails closed.
 */
public final class LinkedTokenVault implements CredentialVault {

  public static final String KIND = "github";
  /** The id linked GitHub tokens are stored under, one per owner. */
  public static final String SECRET_ID = "github";
  public static final String FALLBACK_MARKER = "credential.fallback";
  static final Duration HOLD = Duration.ofMinutes(15);

  private final StoredSecrets secrets;
  private final Supplier<Optional<CredentialVault>> service;
  private final boolean fallback;
  private final Clock clock;

  /**
   * @param service the engine's own GitHub vault (App or PAT), used only for the fallback
   * @param fallback whether a caller without a linked identity may use the service credential
   */
  public LinkedTokenVault(StoredSecrets secrets, Supplier<Optional<CredentialVault>> service, boolean fallback, Clock clock) {
    this.secrets = secrets;
    this.service = service;
    this.fallback = fallback;
    this.clock = clock;
  }

  @Override
  public boolean supports(String kind) {
    return KIND.equals(kind);
  }

  @Override
  public Credential issue(CredentialRequest request) {
    if (!supports(request.need().kind())) {
      throw new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE,
          "The linked-token vault cannot issue a " + request.need().kind() + " credential.");
    }
    Optional<String> linked = secrets.find(SECRET_ID, request.caller().principal(), SecretKind.LINKED_TOKEN);
    if (linked.isPresent()) {
      return new Credential(linked.get(), "linked github token of " + request.caller().subject()
          + " (broad: the user's own token, not narrowed to the call)", true, clock.instant().plus(HOLD), () -> {});
    }
    if (!fallback) {
      throw new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE, "You have no linked GitHub identity, and the "
          + "service credential fallback is off. Link your GitHub account, or ask an operator to store your token "
          + "(vault put --kind linked-token) or to enable engine.credentials.fallback.enabled.");
    }
    CredentialVault vault = service.get().orElseThrow(() -> new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE,
        "You have no linked GitHub identity and no service credential is configured (engine.github.credentials)."));
    Credential used = vault.issue(request);
    return new Credential(used.secret(), FALLBACK_MARKER + ": " + request.caller().subject()
        + " has no linked github identity; service credential used: " + used.description(),
        used.broad(), used.expiresAt(), used::close);
  }

  @Override
  public String toString() {
    return "LinkedTokenVault[fallback=" + fallback + "]";
  }
}
