-- The embedded provider's CIBA backchannel authentication requests (identity/embedded/ciba,
-- docs/adr/0012-embedded-ciba-endpoint.md): one row per auth_req_id, from the request until it is
-- redeemed at the token endpoint, denied or expired. Each state change is one conditional UPDATE,
-- so an auth_req_id redeems once even with several nodes.
CREATE TABLE ciba_request (
    -- 256 random bits, base64url; useless without the client's secret at the token endpoint
    auth_req_id       varchar(64)   NOT NULL PRIMARY KEY,
    client_id         varchar(100)  NOT NULL,
    -- the user asked to approve (identity_user.username)
    login_hint        varchar(100)  NOT NULL,
    scope             varchar(1000) NOT NULL,
    binding_message   varchar(100)  NOT NULL,
    -- RFC 9396 authorization_details as sent (a JSON array), '[]' when none
    authorization_details varchar(8000) NOT NULL,
    -- the action fingerprint named in authorization_details, '' when none
    fingerprint       varchar(64)   NOT NULL,
    -- ping mode: where to notify and the bearer the client gave for it; '' in poll mode
    notification_endpoint varchar(1000) NOT NULL,
    notification_token varchar(1024) NOT NULL,
    -- PENDING, APPROVED, DENIED, REDEEMED
    state             varchar(16)   NOT NULL,
    created_at        timestamp with time zone NOT NULL,
    expires_at        timestamp with time zone NOT NULL,
    poll_interval_seconds integer   NOT NULL,
    last_poll_at      timestamp with time zone,
    decided_at        timestamp with time zone,
    -- what the approver's device verified (a passkey assertion), JSON; '{}' until decided
    evidence          varchar(16000) NOT NULL
);

CREATE INDEX ciba_request_user ON ciba_request (login_hint, state);
