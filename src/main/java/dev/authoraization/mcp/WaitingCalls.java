package dev.authoraization.mcp;

import dev.authoraization.call.Caller;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The MCP tool calls of every node that wait for an approval, in table {@code mcp_waiting_call}: a
 * client's requests may reach any node ({@link SharedSessions}), so its cancellation may reach
 * another node than the one where its call waits. A failure of the database here only narrows a
 * cancellation to the node where the call waits; it never fails the call.
 */
@Component
class WaitingCalls {

  private static final Logger log = LoggerFactory.getLogger(WaitingCalls.class);

  /** Rows of calls whose node ended without removing them go after this long. */
  static final Duration LIFETIME = Duration.ofDays(1);

  private final JdbcClient jdbc;
  private final Clock clock;

  WaitingCalls(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /** The call {@code key} of {@code caller} waits for {@code approvalId}; false when that could not be recorded. */
  boolean waiting(InFlightCalls.Key key, Caller caller, String approvalId) {
    if (key.session().length() > 64 || key.id().length() > 256) {
      return false; // longer than any SDK session id or sensible request id: this node only
    }
    try {
      jdbc.sql("INSERT INTO mcp_waiting_call (session_id, request_id, approval_id, owner_issuer, owner_subject, "
              + "created_at) VALUES (?, ?, ?, ?, ?, ?)")
          .params(key.session(), key.id(), approvalId, caller.issuer(), caller.subject(),
              Timestamp.from(clock.instant()))
          .update();
      return true;
    } catch (DataAccessException e) {
      log.warn("A waiting MCP call could not be recorded for the other nodes ({}); its cancellation must reach "
          + "this node", e.getClass().getSimpleName());
      return false;
    }
  }

  /** The call {@code key} no longer waits for {@code approvalId}. */
  void done(InFlightCalls.Key key, String approvalId) {
    try {
      jdbc.sql("DELETE FROM mcp_waiting_call WHERE session_id = ? AND request_id = ? AND approval_id = ?")
          .params(key.session(), key.id(), approvalId).update();
    } catch (DataAccessException e) { // the hourly purge removes it
      log.warn("A finished MCP call's row could not be deleted ({})", e.getClass().getSimpleName());
    }
  }

  /** What {@code caller}'s call {@code key}, waiting on any node, waits for. */
  List<String> approvals(InFlightCalls.Key key, Caller caller) {
    try {
      return jdbc.sql("SELECT approval_id FROM mcp_waiting_call WHERE session_id = ? AND request_id = ? "
              + "AND owner_issuer = ? AND owner_subject = ?")
          .params(key.session(), key.id(), caller.issuer(), caller.subject()).query(String.class).list();
    } catch (DataAccessException e) {
      log.warn("Waiting MCP calls could not be looked up ({}); the cancellation reaches only calls on this node",
          e.getClass().getSimpleName());
      return List.of();
    }
  }

  @Scheduled(fixedDelayString = "PT1H", initialDelayString = "PT1M")
  void purge() {
    try {
      jdbc.sql("DELETE FROM mcp_waiting_call WHERE created_at < ?")
          .param(Timestamp.from(clock.instant().minus(LIFETIME))).update();
    } catch (DataAccessException e) {
      log.warn("Old waiting MCP calls could not be deleted ({}); next try in an hour", e.getClass().getSimpleName());
    }
  }
}
