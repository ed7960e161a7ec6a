package dev.authoraization.web.chat;

import dev.authoraization.call.Caller;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Chat turns between their POST and their event stream, in the database ({@code chat_turn}), so
 * the stream may reach any node (ARCHITECTURE.md section 7): a message posted on one node is
 * answered by whichever node the browser's stream lands on, and is not lost when that is another
 * one. A turn is taken once (a conditional delete), only by its owner, within {@link #UNCLAIMED}.
 */
@Component
class SubmittedTurns {

  static final Duration UNCLAIMED = Duration.ofMinutes(2);

  /** A turn to run: a message to answer, or (empty) a paused run to follow. */
  record Submitted(String conversationId, Optional<String> message) {}

  private final JdbcClient jdbc;
  private final Clock clock;

  SubmittedTurns(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /** Stores a turn for {@code caller} and returns its id, dropping turns nobody took in time. */
  String put(String conversationId, Caller caller, Optional<String> message) {
    Instant now = clock.instant();
    jdbc.sql("DELETE FROM chat_turn WHERE created_at < ?").param(Timestamp.from(now.minus(UNCLAIMED))).update();
    String id = UUID.randomUUID().toString();
    jdbc.sql("INSERT INTO chat_turn (id, conversation_id, principal, message, created_at) VALUES (?, ?, ?, ?, ?)")
        .params(id, conversationId, caller.principal(), message.orElse(null), Timestamp.from(now)).update();
    return id;
  }

  /**
   * The turn, if it is {@code caller}'s, not taken yet and not stale; taking it removes it, so of
   * two streams (on one node or two) only one gets it. Someone else's turn is left untouched.
   */
  Optional<Submitted> take(String turnId, Caller caller) {
    Optional<Submitted> turn = jdbc.sql("SELECT conversation_id, message FROM chat_turn "
            + "WHERE id = ? AND principal = ? AND created_at >= ?")
        .params(turnId, caller.principal(), Timestamp.from(clock.instant().minus(UNCLAIMED)))
        .query((rs, row) -> new Submitted(rs.getString("conversation_id"), Optional.ofNullable(rs.getString("message"))))
        .optional();
    if (turn.isEmpty()) {
      return turn;
    }
    int taken = jdbc.sql("DELETE FROM chat_turn WHERE id = ? AND principal = ?").params(turnId, caller.principal())
        .update();
    return taken == 1 ? turn : Optional.empty();
  }
}
