-- The built-in credential vault (credential/tink, docs/adr/0008-built-in-vault.md): each secret is
-- encrypted with Tink AEAD (AES256-GCM) under a keyset kept OUTSIDE this database; the associated
-- data binds the ciphertext to (id, owner, kind), so a ciphertext copied to another row or owner
-- does not decrypt. Nothing here is useful without the keyset.
CREATE TABLE vault_credential (
    id         varchar(200) NOT NULL,
    -- 'service' for the engine's own credentials, or a user's issuer#subject
    owner      varchar(500) NOT NULL,
    -- github-app-key, pat, linked-token
    kind       varchar(40)  NOT NULL,
    -- Tink ciphertext: 5-byte key prefix (version byte, key id), IV, ciphertext, tag
    ciphertext bytea        NOT NULL,
    -- the Tink key id the ciphertext is under (unsigned 32-bit), to find rows a rotation must re-encrypt
    key_id     bigint       NOT NULL,
    created_at timestamp with time zone NOT NULL,
    rotated_at timestamp with time zone NOT NULL,
    PRIMARY KEY (id, owner)
);
CREATE INDEX vault_credential_key_id ON vault_credential (key_id);
