-- A chat message (or a paused run to follow) between its POST and its event stream
-- (web/chat/SubmittedTurns): any node may serve the stream, so the turn waits here, not in the
-- memory of the node that took the POST. Taken once, by its owner, within two minutes.
CREATE TABLE chat_turn (
  id               VARCHAR(36)    PRIMARY KEY,
  conversation_id  VARCHAR(36)    NOT NULL,
  principal        VARCHAR(1024)  NOT NULL,
  -- the message; NULL when the stream only follows a run waiting for an approval
  message          TEXT,
  created_at       TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX chat_turn_created ON chat_turn (created_at);
