package dev.authoraization.credential;

import dev.authoraization.call.Caller;
import java.util.Objects;

/**
 * What the gateway asks a vault for (pipeline stage 7).
 *
 * @param need the kind and permissions the tool needs
 * @param resource what the credential is narrowed to (for GitHub, one {@code owner/repo})
 * @param caller whose call it is (a vault may hold per-user linked tokens)
 * @param singleUse true for a destructive call: mint for this call only, revoke on close
 */
public record CredentialRequest(CredentialNeed need, String resource, Caller caller, boolean singleUse) {
  public CredentialRequest {
    Objects.requireNonNull(need, "need");
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(caller, "caller");
  }
}
