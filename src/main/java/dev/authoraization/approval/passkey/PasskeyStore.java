package dev.authoraization.approval.passkey;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Passkeys in table {@code approver_passkey} (V6__passkeys.sql). */
public class PasskeyStore {

  private static final String COLUMNS = "credential_id, username, attested_credential_data, sign_count, "
      + "uv_initialized, backup_eligible, backup_state, created_at";

  private final JdbcClient jdbc;

  public PasskeyStore(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  public void insert(Passkey passkey) {
    jdbc.sql("INSERT INTO approver_passkey (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .params(passkey.credentialId(), passkey.username(),
            Base64.getUrlEncoder().withoutPadding().encodeToString(passkey.attestedCredentialData()),
            passkey.signCount(), passkey.uvInitialized(), passkey.backupEligible(), passkey.backupState(),
            Timestamp.from(passkey.createdAt()))
        .update();
  }

  public Optional<Passkey> find(String credentialId) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM approver_passkey WHERE credential_id = ?")
        .param(credentialId).query(PasskeyStore::row).optional();
  }

  public List<Passkey> of(String username) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM approver_passkey WHERE username = ? ORDER BY created_at")
        .param(username).query(PasskeyStore::row).list();
  }

  /**
   * Moves the counter from what was read to what the authenticator reported; false when another
   * use of the same passkey got there first (the later one must not count).
   */
  public boolean advance(String credentialId, long from, long to, Instant at) {
    return jdbc.sql("UPDATE approver_passkey SET sign_count = ?, last_used_at = ? "
            + "WHERE credential_id = ? AND sign_count = ?")
        .params(to, Timestamp.from(at), credentialId, from).update() == 1;
  }

  private static Passkey row(ResultSet rs, int n) throws SQLException {
    return new Passkey(rs.getString(1), rs.getString(2), Base64.getUrlDecoder().decode(rs.getString(3)),
        rs.getLong(4), rs.getBoolean(5), rs.getBoolean(6), rs.getBoolean(7), rs.getTimestamp(8).toInstant());
  }
}
