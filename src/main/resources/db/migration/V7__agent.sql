-- Agent conversations (docs/agent.md). A run that waits for an approval is stored here with its
-- messages and the pending tool call, so a restart loses nothing. Resumption is a conditional
-- UPDATE ... WHERE status = 'waiting_for_approval' AND approval_id = ?, so it happens once.
CREATE TABLE agent_conversation (
  id             VARCHAR(36)   PRIMARY KEY,
  owner_subject  VARCHAR(255)  NOT NULL,
  owner_issuer   VARCHAR(512)  NOT NULL,
  owner_roles    TEXT          NOT NULL,
  owner_agent    VARCHAR(255)  NOT NULL,
  status         VARCHAR(32)   NOT NULL,
  approval_id    VARCHAR(36),
  pending        TEXT,
  messages       TEXT          NOT NULL,
  tool_calls     TEXT          NOT NULL,
  reply          TEXT          NOT NULL,
  created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
  updated_at     TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX agent_conversation_approval ON agent_conversation (approval_id);
CREATE INDEX agent_conversation_status ON agent_conversation (status);
