package dev.authoraization.web.approver;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The approver page's nonces that a decision has used, in the database: spending one is an
 * insert under its primary key, so of two submissions of the same page (one node or two, at the
 * same moment) only one gets past it. Records older than {@link #KEPT} are dropped: by then the
 * session that held the nonce has timed out, so it cannot come back.
 */
@Component
class SpentNonces {

  /** Longer than a session lives (30 minutes by default) with a wide margin. */
  static final Duration KEPT = Duration.ofDays(1);

  private final JdbcClient jdbc;
  private final Clock clock;

  SpentNonces(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /** True the first time {@code nonce} is spent, false ever after. */
  boolean spend(String nonce) {
    Instant now = clock.instant();
    jdbc.sql("DELETE FROM approver_page_nonce_spent WHERE spent_at < ?").param(Timestamp.from(now.minus(KEPT)))
        .update();
    try {
      jdbc.sql("INSERT INTO approver_page_nonce_spent (nonce, spent_at) VALUES (?, ?)")
          .params(nonce, Timestamp.from(now)).update();
      return true;
    } catch (DuplicateKeyException spentAlready) {
      return false;
    }
  }
}
