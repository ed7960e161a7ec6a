-- The approver device's passkeys (approval/passkey, docs/approver-device.md): one row per WebAuthn
-- credential an approver enrolled. The attested credential data (AAGUID, credential id, COSE public
-- key) is stored as webauthn4j serializes it (AttestedCredentialDataConverter), base64url-encoded,
-- so the public key that verifies a stored assertion stays readable by anyone auditing later.
CREATE TABLE approver_passkey (
    -- base64url of the WebAuthn credential id (unpadded)
    credential_id   varchar(1400) NOT NULL PRIMARY KEY,
    -- the embedded provider's username (identity_user.username)
    username        varchar(100)  NOT NULL,
    attested_credential_data varchar(4000) NOT NULL,
    -- the authenticator's signature counter; each assertion must raise it (when it counts at all)
    sign_count      bigint        NOT NULL,
    uv_initialized  boolean       NOT NULL,
    backup_eligible boolean       NOT NULL,
    backup_state    boolean       NOT NULL,
    created_at      timestamp with time zone NOT NULL,
    last_used_at    timestamp with time zone
);

CREATE INDEX approver_passkey_user ON approver_passkey (username);
