-- The hash-chained audit log (docs/adr/0004-audit-chain.md). Rows are only ever inserted;
-- each row's hash covers every column and the previous row's hash.
CREATE TABLE audit_record (
  chain           VARCHAR(64)  NOT NULL,
  seq             BIGINT       NOT NULL,
  at              TIMESTAMP WITH TIME ZONE NOT NULL,
  event           VARCHAR(64)  NOT NULL,
  decision_id     VARCHAR(128) NOT NULL,
  subject         VARCHAR(512) NOT NULL,
  issuer          VARCHAR(1024) NOT NULL,
  agent           VARCHAR(512) NOT NULL,
  tool            VARCHAR(256) NOT NULL,
  arguments       VARCHAR      NOT NULL,
  effect          VARCHAR(32)  NOT NULL,
  rule_id         VARCHAR(256) NOT NULL,
  reason          VARCHAR      NOT NULL,
  approval_id     VARCHAR(128) NOT NULL,
  approver        VARCHAR(512) NOT NULL,
  outcome         VARCHAR(64)  NOT NULL,
  credential      VARCHAR      NOT NULL,
  policy_revision VARCHAR(256) NOT NULL,
  evidence        VARCHAR      NOT NULL,
  prev_hash       CHAR(64)     NOT NULL,
  hash            CHAR(64)     NOT NULL,
  PRIMARY KEY (chain, seq)
);

CREATE INDEX audit_record_decision ON audit_record (chain, decision_id);
CREATE INDEX audit_record_approval ON audit_record (chain, approval_id);
CREATE INDEX audit_record_subject ON audit_record (chain, subject);

-- One row per chain: the last record's seq and hash. Writers on every engine node lock this
-- row (SELECT ... FOR UPDATE) to append in order; the verifier compares it with the last
-- record, so a truncated tail is detected.
CREATE TABLE audit_head (
  chain VARCHAR(64) PRIMARY KEY,
  seq   BIGINT   NOT NULL,
  hash  CHAR(64) NOT NULL
);

INSERT INTO audit_head (chain, seq, hash)
VALUES ('main', 0, '0000000000000000000000000000000000000000000000000000000000000000');
