package dev.authoraization.approval.passkey;

import java.time.Instant;

/**
 * One enrolled passkey.
 *
 * @param credentialId the WebAuthn credential id, base64url
 * @param attestedCredentialData as webauthn4j serializes it: AAGUID, credential id, COSE public key
 * @param signCount the authenticator's signature counter at its last use
 */
public record Passkey(String credentialId, String username, byte[] attestedCredentialData, long signCount,
    boolean uvInitialized, boolean backupEligible, boolean backupState, Instant createdAt) {}
