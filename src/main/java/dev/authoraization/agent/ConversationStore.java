package dev.authoraization.agent;

import dev.authoraization.agent.Conversation.Pending;
import dev.authoraization.agent.Conversation.Status;
import dev.authoraization.agent.Conversation.StoredMessage;
import dev.authoraization.agent.Conversation.ToolCallReport;
import dev.authoraization.call.Caller;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Conversations in {@code agent_conversation} (V7__agent.sql). Every change of status is a
 * conditional update on the row, so two nodes or two racing events cannot both run it.
 */
@Repository
public class ConversationStore {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final TypeReference<List<StoredMessage>> MESSAGES = new TypeReference<>() {};
  private static final TypeReference<List<ToolCallReport>> REPORTS = new TypeReference<>() {};

  private final JdbcTemplate jdbc;
  private final Clock clock;

  public ConversationStore(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
    this.clock = Clock.systemUTC();
  }

  public Conversation create(String id, Caller owner) {
    Timestamp now = Timestamp.from(clock.instant());
    jdbc.update("""
        INSERT INTO agent_conversation (id, owner_subject, owner_issuer, owner_roles, owner_agent, status,
          approval_id, pending, messages, tool_calls, reply, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, '[]', '[]', '', ?, ?)""",
        id, owner.subject(), owner.issuer(), String.join(",", owner.roles()), owner.agent().orElse(""),
        Status.ACTIVE.id(), now, now);
    return find(id).orElseThrow();
  }

  public Optional<Conversation> find(String id) {
    return jdbc.query("SELECT * FROM agent_conversation WHERE id = ?", ConversationStore::row, id).stream().findFirst();
  }

  /** Waiting conversations whose pending call is this approval request (normally one). */
  public List<String> waitingFor(String approvalId) {
    return jdbc.queryForList("SELECT id FROM agent_conversation WHERE status = ? AND approval_id = ?", String.class,
        Status.WAITING_FOR_APPROVAL.id(), approvalId);
  }

  public List<String> waiting() {
    return jdbc.queryForList("SELECT id FROM agent_conversation WHERE status = ?", String.class,
        Status.WAITING_FOR_APPROVAL.id());
  }

  /** ACTIVE → RUNNING for a new message, with the caller as the token now says (roles may have changed). */
  public boolean claimForMessage(String id, Caller caller) {
    return jdbc.update("UPDATE agent_conversation SET status = ?, owner_roles = ?, owner_agent = ?, updated_at = ? "
            + "WHERE id = ? AND status = ?", Status.RUNNING.id(), String.join(",", caller.roles()),
        caller.agent().orElse(""), Timestamp.from(clock.instant()), id, Status.ACTIVE.id()) == 1;
  }

  /** WAITING_FOR_APPROVAL → RUNNING for this approval: only one resumer wins. */
  public boolean claimForResume(String id, String approvalId) {
    return jdbc.update("UPDATE agent_conversation SET status = ?, updated_at = ? "
            + "WHERE id = ? AND status = ? AND approval_id = ?", Status.RUNNING.id(), Timestamp.from(clock.instant()),
        id, Status.WAITING_FOR_APPROVAL.id(), approvalId) == 1;
  }

  /** Ends a run: RUNNING → ACTIVE, or → WAITING_FOR_APPROVAL when it paused on {@code pending}. */
  public void finish(String id, List<StoredMessage> messages, List<ToolCallReport> reports, String reply,
      Optional<Pending> pending) {
    Status status = pending.isPresent() ? Status.WAITING_FOR_APPROVAL : Status.ACTIVE;
    jdbc.update("UPDATE agent_conversation SET status = ?, approval_id = ?, pending = ?, messages = ?, tool_calls = ?, "
            + "reply = ?, updated_at = ? WHERE id = ? AND status = ?",
        status.id(), pending.map(Pending::approvalId).orElse(null),
        pending.map(JSON::writeValueAsString).orElse(null), JSON.writeValueAsString(messages),
        JSON.writeValueAsString(reports), reply, Timestamp.from(clock.instant()), id, Status.RUNNING.id());
  }

  /**
   * After a crash, runs that were in progress on this node are handed back: a resumption to
   * waiting (it runs again), a message run to active (the message is lost; the user sees the
   * last reply). Single-node assumption: see docs/agent.md.
   */
  public int releaseInterrupted() {
    Timestamp now = Timestamp.from(clock.instant());
    int resumed = jdbc.update("UPDATE agent_conversation SET status = ?, updated_at = ? WHERE status = ? AND approval_id IS NOT NULL",
        Status.WAITING_FOR_APPROVAL.id(), now, Status.RUNNING.id());
    return resumed + jdbc.update("UPDATE agent_conversation SET status = ?, updated_at = ? WHERE status = ?",
        Status.ACTIVE.id(), now, Status.RUNNING.id());
  }

  private static Conversation row(ResultSet rs, int n) throws SQLException {
    Set<String> roles = Arrays.stream(rs.getString("owner_roles").split(",")).filter(r -> !r.isBlank())
        .collect(Collectors.toSet());
    String agent = rs.getString("owner_agent");
    Caller owner = new Caller(rs.getString("owner_subject"), rs.getString("owner_issuer"), roles,
        agent.isBlank() ? Optional.empty() : Optional.of(agent));
    String pending = rs.getString("pending");
    return new Conversation(rs.getString("id"), owner, Status.of(rs.getString("status")),
        pending == null ? Optional.empty() : Optional.of(JSON.readValue(pending, Pending.class)),
        JSON.readValue(rs.getString("messages"), MESSAGES), JSON.readValue(rs.getString("tool_calls"), REPORTS),
        rs.getString("reply"), instant(rs, "created_at"), instant(rs, "updated_at"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    return rs.getTimestamp(column).toInstant();
  }
}
