package dev.authoraization.approval.cluster;

import dev.authoraization.approval.ApprovalState;
import dev.authoraization.approval.ApprovalWaiters;
import dev.authoraization.call.ToolCallGateway;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The safety net under LISTEN/NOTIFY, which is best effort (a notification sent while a
 * listener reconnects is lost): every few seconds, wakes local waiters whose request has become
 * final, and runs APPROVED requests that nobody claimed within the grace period (the claim keeps
 * that to one run across nodes), and settles runs a crashed node left EXECUTING. Only on PostgreSQL; a single H2 node needs neither.
 */
@Component
public class ClusterRecheck {

  private static final Logger log = LoggerFactory.getLogger(ClusterRecheck.class);
  private static final int BATCH = 200;

  private final JdbcTemplate jdbc;
  private final ApprovalWaiters waiters;
  private final ToolCallGateway gateway;
  private final PostgresNotify notify;
  private final ClusterProperties properties;
  private final Clock clock;
  private final InterruptedRuns interrupted;

  public ClusterRecheck(DataSource dataSource, ApprovalWaiters waiters, ToolCallGateway gateway,
      PostgresNotify notify, ClusterProperties properties, Clock clock, InterruptedRuns interrupted) {
    this.interrupted = interrupted;
    this.jdbc = new JdbcTemplate(dataSource);
    this.waiters = waiters;
    this.gateway = gateway;
    this.notify = notify;
    this.properties = properties;
    this.clock = clock;
  }

  @Scheduled(fixedDelayString = "${engine.cluster.recheck-interval:PT5S}")
  public void recheck() {
    if (!notify.severalNodes()) {
      return;
    }
    try {
      wakeSettled();
      runUnclaimed();
      interrupted.settleStale(); // a node that crashed mid-run may never come back
    } catch (RuntimeException e) {
      log.warn("Cluster re-check failed; it will run again: {}", e.toString());
    }
  }

  /** Wakes local waiters whose request is final; returns how many. */
  public int wakeSettled() {
    List<String> ids = new ArrayList<>(waiters.waiting());
    int woken = 0;
    for (int from = 0; from < ids.size(); from += BATCH) {
      List<String> batch = ids.subList(from, Math.min(ids.size(), from + BATCH));
      String marks = String.join(",", Collections.nCopies(batch.size(), "?"));
      Map<String, String> states = jdbc.queryForList(
          "SELECT id, state FROM approval_request WHERE id IN (" + marks + ")", batch.toArray())
          .stream().collect(Collectors.toMap(r -> (String) r.get("id"), r -> (String) r.get("state")));
      for (var e : states.entrySet()) {
        if (ApprovalState.valueOf(e.getValue()).isFinal()) {
          waiters.wake(e.getKey());
          woken++;
        }
      }
    }
    return woken;
  }

  /** Runs APPROVED requests left unclaimed past the grace period; returns how many it tried. */
  public int runUnclaimed() {
    OffsetDateTime cutoff = OffsetDateTime.ofInstant(clock.instant().minus(properties.claimGrace()), ZoneOffset.UTC);
    List<String> ids = jdbc.queryForList(
        "SELECT id FROM approval_request WHERE state = 'APPROVED' AND updated_at < ? ORDER BY updated_at LIMIT ?",
        String.class, cutoff, BATCH);
    for (String id : ids) {
      log.info("Approval {} was approved but unclaimed for over {}; running it here", id, properties.claimGrace());
      gateway.executeApproved(id);
    }
    return ids.size();
  }
}
