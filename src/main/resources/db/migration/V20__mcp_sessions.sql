-- MCP sessions, so that any node can take up a session another node opened (mcp/SharedSessions).
-- The MCP SDK keeps a session in the memory of the node that opened it; the row holds what that
-- node was told at initialize and needs again: who opened it and the protocol version asked for.
-- Rows older than a day are deleted; the client then opens a new session, as the MCP spec says.
CREATE TABLE mcp_session (
  id                VARCHAR(64)   PRIMARY KEY,
  owner_issuer      VARCHAR(512)  NOT NULL,
  owner_subject     VARCHAR(255)  NOT NULL,
  protocol_version  VARCHAR(32)   NOT NULL,
  created_at        TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX mcp_session_created ON mcp_session (created_at);

-- MCP tool calls waiting for an approval (mcp/InFlightCalls), so that the client's cancellation
-- withdraws the request whichever node it reaches. A row lives while its call waits.
CREATE TABLE mcp_waiting_call (
  session_id     VARCHAR(64)   NOT NULL,
  request_id     VARCHAR(256)  NOT NULL,
  approval_id    VARCHAR(36)   NOT NULL,
  owner_issuer   VARCHAR(512)  NOT NULL,
  owner_subject  VARCHAR(255)  NOT NULL,
  created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (session_id, request_id, approval_id)
);
