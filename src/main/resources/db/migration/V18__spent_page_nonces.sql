-- The approver page's per-view nonces that were used for a decision (web/approver/SpentNonces).
-- The nonce itself lives in the approver's session; spending it here, with the primary key, makes
-- it single use even when two submissions of one page race on two nodes (ADR 0016).
CREATE TABLE approver_page_nonce_spent (
  nonce     VARCHAR(64)  PRIMARY KEY,
  spent_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX approver_page_nonce_spent_at ON approver_page_nonce_spent (spent_at);
