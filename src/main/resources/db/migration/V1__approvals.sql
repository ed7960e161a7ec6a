-- Durable approval requests (ARCHITECTURE.md section 3). Every state change is a conditional
-- UPDATE ... WHERE state = ? so that it happens once, whatever the number of nodes.
CREATE TABLE approval_request (
  id                   VARCHAR(36)   PRIMARY KEY,
  decision_id          VARCHAR(36)   NOT NULL,
  tool                 VARCHAR(64)   NOT NULL,
  arguments            TEXT          NOT NULL,
  resource             VARCHAR(512)  NOT NULL,
  requester_subject    VARCHAR(255)  NOT NULL,
  requester_issuer     VARCHAR(512)  NOT NULL,
  requester_roles      TEXT          NOT NULL,
  requester_agent      VARCHAR(255)  NOT NULL,
  idempotency_key      VARCHAR(255)  NOT NULL,
  fingerprint          VARCHAR(64)   NOT NULL,
  preconditions        TEXT          NOT NULL,
  rule_id              VARCHAR(128)  NOT NULL,
  approver_roles       TEXT          NOT NULL,
  quorum               INTEGER       NOT NULL,
  separation_of_duties BOOLEAN       NOT NULL,
  policy_revision      VARCHAR(64)   NOT NULL,
  state                VARCHAR(16)   NOT NULL,
  created_at           TIMESTAMP WITH TIME ZONE NOT NULL,
  expires_at           TIMESTAMP WITH TIME ZONE NOT NULL,
  updated_at           TIMESTAMP WITH TIME ZONE NOT NULL,
  reason               VARCHAR(1024) NOT NULL,
  result               TEXT,
  CONSTRAINT approval_request_idempotency UNIQUE (requester_issuer, requester_subject, idempotency_key)
);

CREATE INDEX approval_request_state_expiry ON approval_request (state, expires_at);

CREATE TABLE approval_vote (
  approval_id      VARCHAR(36)   NOT NULL REFERENCES approval_request (id),
  approver_issuer  VARCHAR(512)  NOT NULL,
  approver_subject VARCHAR(255)  NOT NULL,
  verdict          VARCHAR(8)    NOT NULL,
  reason           VARCHAR(1024) NOT NULL,
  at               TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (approval_id, approver_issuer, approver_subject)
);
