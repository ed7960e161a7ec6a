package dev.authoraization.identity.embedded.ciba;

import dev.authoraization.identity.embedded.ciba.BackchannelRequest.State;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The embedded provider's backchannel requests, in table {@code ciba_request}. Every state change
 * is a conditional {@code UPDATE ... WHERE state = ?}: the first decision is final (unlike
 * Keycloak, a deny cannot be overturned), and an {@code auth_req_id} redeems at most once, even
 * when several nodes serve the token endpoint.
 */
public class BackchannelRequests {

  private static final String COLUMNS = "auth_req_id, client_id, login_hint, scope, binding_message, "
      + "authorization_details, fingerprint, notification_endpoint, notification_token, state, created_at, "
      + "expires_at, poll_interval_seconds, last_poll_at, decided_at, evidence";

  private final JdbcClient jdbc;
  private final Clock clock;

  public BackchannelRequests(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  void create(BackchannelRequest r) {
    jdbc.sql("INSERT INTO ciba_request (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .params(r.authReqId(), r.clientId(), r.loginHint(), r.scope(), r.bindingMessage(), r.authorizationDetails(),
            r.fingerprint(), r.notificationEndpoint(), r.notificationToken(), r.state().name(),
            Timestamp.from(r.createdAt()), Timestamp.from(r.expiresAt()), (int) r.interval().toSeconds(), null, null,
            r.evidence())
        .update();
  }

  public Optional<BackchannelRequest> find(String authReqId) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM ciba_request WHERE auth_req_id = ?").param(authReqId)
        .query(BackchannelRequests::row).optional();
  }

  /** The requests waiting for {@code username}'s answer that have not expired, oldest first. */
  public List<BackchannelRequest> pendingFor(String username) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM ciba_request WHERE login_hint = ? AND state = 'PENDING' "
            + "AND expires_at > ? ORDER BY created_at")
        .params(username, Timestamp.from(clock.instant())).query(BackchannelRequests::row).list();
  }

  /**
   * Records the approver's answer, once: true when this call moved the request from PENDING
   * (and it had not expired), false when it was already decided, redeemed or expired.
   *
   * @param evidence what the device verified (a passkey assertion), JSON
   */
  public boolean decide(String authReqId, String username, boolean approved, String evidence) {
    Instant now = clock.instant();
    return jdbc.sql("UPDATE ciba_request SET state = ?, decided_at = ?, evidence = ? "
            + "WHERE auth_req_id = ? AND login_hint = ? AND state = 'PENDING' AND expires_at > ?")
        .params((approved ? State.APPROVED : State.DENIED).name(), Timestamp.from(now), evidence, authReqId, username,
            Timestamp.from(now))
        .update() == 1;
  }

  /** Notes a poll, for the next one's {@code slow_down} check. */
  void polled(String authReqId) {
    jdbc.sql("UPDATE ciba_request SET last_poll_at = ? WHERE auth_req_id = ?")
        .params(Timestamp.from(clock.instant()), authReqId).update();
  }

  /** APPROVED to REDEEMED, once: only the caller that wins this may issue tokens. */
  boolean redeem(String authReqId) {
    return jdbc.sql("UPDATE ciba_request SET state = 'REDEEMED' WHERE auth_req_id = ? AND state = 'APPROVED'")
        .param(authReqId).update() == 1;
  }

  private static BackchannelRequest row(ResultSet rs, int n) throws SQLException {
    return new BackchannelRequest(rs.getString("auth_req_id"), rs.getString("client_id"), rs.getString("login_hint"),
        rs.getString("scope"), rs.getString("binding_message"), rs.getString("authorization_details"),
        rs.getString("fingerprint"), rs.getString("notification_endpoint"), rs.getString("notification_token"),
        State.valueOf(rs.getString("state")), rs.getTimestamp("created_at").toInstant(),
        rs.getTimestamp("expires_at").toInstant(), Duration.ofSeconds(rs.getInt("poll_interval_seconds")),
        Optional.ofNullable(rs.getTimestamp("last_poll_at")).map(Timestamp::toInstant),
        Optional.ofNullable(rs.getTimestamp("decided_at")).map(Timestamp::toInstant), rs.getString("evidence"));
  }
}
