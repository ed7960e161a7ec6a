package dev.authoraization.approval;

import dev.authoraization.call.ApprovalRequirement;
import dev.authoraization.call.Caller;
import dev.authoraization.call.Fingerprint;
import dev.authoraization.call.ToolCall;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Rows of {@code approval_request} and {@code approval_vote}. Plain SQL that runs on H2 and
 * PostgreSQL; every state change is conditional on the state it leaves.
 */
@Repository
public class ApprovalStore {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
  private static final TypeReference<TreeMap<String, String>> STRING_MAP = new TypeReference<>() {};

  private final JdbcTemplate jdbc;

  public ApprovalStore(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  public void insert(ApprovalRequest r) {
    Caller c = r.requester();
    jdbc.update("""
        INSERT INTO approval_request (id, decision_id, tool, arguments, resource, requester_subject,
          requester_issuer, requester_roles, requester_agent, idempotency_key, fingerprint,
          preconditions, context, rule_id, approver_roles, quorum, separation_of_duties, policy_revision,
          state, created_at, expires_at, updated_at, reason)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        r.id(), r.decisionId(), r.call().tool(), JSON.writeValueAsString(r.call().arguments()),
        r.resource(), c.subject(), c.issuer(), JSON.writeValueAsString(c.roles().stream().sorted().toList()),
        c.agent().orElse(""), r.call().idempotencyKey(), r.fingerprint().hex(),
        JSON.writeValueAsString(new TreeMap<>(r.preconditions())), JSON.writeValueAsString(new TreeMap<>(r.context())),
        r.ruleId(),
        JSON.writeValueAsString(r.requirement().approverRoles().stream().sorted().toList()),
        r.requirement().quorum(), r.requirement().separationOfDuties(), r.policyRevision(),
        r.state().name(), ts(r.createdAt()), ts(r.expiresAt()), ts(r.createdAt()), r.reason());
  }

  public Optional<ApprovalRequest> find(String id) {
    return load("SELECT * FROM approval_request WHERE id = ?", id);
  }

  /** Reads and row-locks the request for the rest of the transaction. */
  public Optional<ApprovalRequest> lock(String id) {
    return load("SELECT * FROM approval_request WHERE id = ? FOR UPDATE", id);
  }

  public Optional<ApprovalRequest> findByIdempotencyKey(Caller caller, String key) {
    List<String> ids = jdbc.queryForList("""
        SELECT id FROM approval_request
        WHERE requester_issuer = ? AND requester_subject = ? AND idempotency_key = ?""",
        String.class, caller.issuer(), caller.subject(), key);
    return ids.stream().findFirst().flatMap(this::find);
  }

  /**
   * When the requester asked for the requests stored after {@code since}, newest first, at most
   * {@code limit} of them (the approval quota's count).
   */
  public List<Instant> askedSince(Caller requester, Instant since, int limit) {
    return jdbc.query("""
        SELECT created_at FROM approval_request
        WHERE requester_issuer = ? AND requester_subject = ? AND created_at > ?
        ORDER BY created_at DESC LIMIT ?""",
        (rs, row) -> instant(rs, "created_at"), requester.issuer(), requester.subject(), ts(since), limit);
  }

  /** Moves {@code from} → {@code to}; false if the request was no longer in {@code from}. */
  public boolean transition(String id, ApprovalState from, ApprovalState to, String reason, Instant now) {
    if (!from.next().contains(to)) {
      throw new IllegalStateException("illegal transition " + from + " -> " + to);
    }
    return jdbc.update(
        "UPDATE approval_request SET state = ?, reason = ?, updated_at = ? WHERE id = ? AND state = ?",
        to.name(), reason, ts(now), id, from.name()) == 1;
  }

  public boolean complete(String id, JsonNode result, Instant now) {
    return jdbc.update("""
        UPDATE approval_request SET state = 'EXECUTED', result = ?, updated_at = ?
        WHERE id = ? AND state = 'EXECUTING'""", JSON.writeValueAsString(result), ts(now), id) == 1;
  }

  public void insertVote(String id, ApprovalRequest.Vote vote) {
    jdbc.update("""
        INSERT INTO approval_vote (approval_id, approver_issuer, approver_subject, verdict, reason, at)
        VALUES (?, ?, ?, ?, ?, ?)""",
        id, vote.approverIssuer(), vote.approverSubject(), vote.verdict().name(), vote.reason(), ts(vote.at()));
  }

  /** Ids of PENDING requests whose time ran out. */
  public List<String> overdue(Instant now, int limit) {
    return jdbc.queryForList(
        "SELECT id FROM approval_request WHERE state = 'PENDING' AND expires_at <= ? ORDER BY expires_at LIMIT ?",
        String.class, ts(now), limit);
  }

  /** Ids of APPROVED requests nobody has claimed (e.g. after a restart). */
  public List<String> approvedUnclaimed(int limit) {
    return jdbc.queryForList(
        "SELECT id FROM approval_request WHERE state = 'APPROVED' ORDER BY updated_at LIMIT ?",
        String.class, limit);
  }

  public List<ApprovalRequest> pending(int limit) {
    List<String> ids = jdbc.queryForList(
        "SELECT id FROM approval_request WHERE state = 'PENDING' ORDER BY created_at LIMIT ?", String.class, limit);
    return ids.stream().map(this::find).flatMap(Optional::stream).toList();
  }

  private Optional<ApprovalRequest> load(String sql, String id) {
    List<ApprovalRequest> rows = jdbc.query(sql, (rs, n) -> map(rs), id);
    // votes are read after the row's result set is closed: read inside the row mapper, outside a
    // transaction, they took a second pooled connection while holding the first, and enough
    // concurrent reads (a burst of long polls) deadlocked the pool
    return rows.stream().findFirst().map(r -> new ApprovalRequest(r.id(), r.decisionId(), r.call(), r.resource(),
        r.fingerprint(), r.preconditions(), r.context(), r.ruleId(), r.requirement(), r.policyRevision(), r.state(),
        r.createdAt(), r.expiresAt(), r.reason(), r.result(), votes(r.id())));
  }

  private ApprovalRequest map(ResultSet rs) throws SQLException {
    String id = rs.getString("id");
    Caller requester = new Caller(rs.getString("requester_subject"), rs.getString("requester_issuer"),
        Set.copyOf(JSON.readValue(rs.getString("requester_roles"), STRINGS)),
        Optional.of(rs.getString("requester_agent")).filter(a -> !a.isEmpty()));
    ToolCall call = new ToolCall(rs.getString("tool"), JSON.readTree(rs.getString("arguments")),
        requester, rs.getString("idempotency_key"));
    Instant created = instant(rs, "created_at");
    Instant expires = instant(rs, "expires_at");
    ApprovalRequirement requirement = new ApprovalRequirement(
        Set.copyOf(JSON.readValue(rs.getString("approver_roles"), STRINGS)), rs.getInt("quorum"),
        Duration.between(created, expires),
        rs.getBoolean("separation_of_duties"));
    String result = rs.getString("result");
    Map<String, String> preconditions = JSON.readValue(rs.getString("preconditions"), STRING_MAP);
    Map<String, String> context = JSON.readValue(rs.getString("context"), STRING_MAP);
    return new ApprovalRequest(id, rs.getString("decision_id"), call, rs.getString("resource"),
        new Fingerprint(rs.getString("fingerprint")), preconditions, context, rs.getString("rule_id"), requirement,
        rs.getString("policy_revision"), ApprovalState.valueOf(rs.getString("state")), created, expires,
        rs.getString("reason"), Optional.ofNullable(result).map(JSON::readTree), List.of());
  }

  private List<ApprovalRequest.Vote> votes(String id) {
    return new ArrayList<>(jdbc.query("""
        SELECT approver_subject, approver_issuer, verdict, reason, at FROM approval_vote
        WHERE approval_id = ? ORDER BY at""",
        (rs, n) -> new ApprovalRequest.Vote(rs.getString(1), rs.getString(2),
            ApprovalRequest.Verdict.valueOf(rs.getString(3)), rs.getString(4), instant(rs, "at")), id));
  }

  private static OffsetDateTime ts(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    return rs.getObject(column, OffsetDateTime.class).toInstant();
  }
}
