package dev.authoraization.credential;

/**
 * Issues a short-lived credential narrowed to one call. Implementations are chosen by
 * configuration and fail closed: when a credential cannot be had, throw a
 * {@code GatewayException} with {@code CREDENTIAL_UNAVAILABLE}, never return a broader one.
 */
public interface CredentialVault {

  /** Whether this vault issues credentials of the kind (e.g. {@code github}). */
  boolean supports(String kind);

  Credential issue(CredentialRequest request);
}
