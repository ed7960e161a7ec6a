package dev.authoraization.credential;

import java.util.Optional;

/**
 * Secrets the engine keeps at rest (the built-in vault, {@code credential/tink}). A vault or key
 * source reads one when it needs it; nothing else sees the value.
 */
public interface StoredSecrets {

  /** The owner of the engine's own credentials (a GitHub App key, a service PAT). */
  String SERVICE = "service";

  /**
   * The secret stored under {@code id} for {@code owner}, when there is one.
   *
   * @throws dev.authoraization.call.GatewayException {@code CREDENTIAL_UNAVAILABLE} when an entry
   *     exists but cannot be decrypted (altered, moved, or under a key the keyset lacks)
   */
  Optional<String> find(String id, String owner, SecretKind kind);
}
