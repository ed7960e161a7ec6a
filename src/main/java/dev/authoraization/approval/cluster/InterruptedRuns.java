package dev.authoraization.approval.cluster;

import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.call.ToolCallGateway;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Settles requests a crash left EXECUTING (claimed, outcome never recorded), at start-up and, on
 * PostgreSQL, in every re-check: EXECUTED if the provider confirms the call took effect, FAILED
 * with {@code outcome_unknown} otherwise. Nothing is re-run. Only requests EXECUTING for longer
 * than {@code engine.cluster.executing-grace}, so a run still in progress on a live node is left
 * alone.
 */
@Component
public class InterruptedRuns {

  private static final Logger log = LoggerFactory.getLogger(InterruptedRuns.class);

  private final JdbcTemplate jdbc;
  private final ToolCallGateway gateway;
  private final ClusterProperties properties;
  private final Clock clock;

  public InterruptedRuns(DataSource dataSource, ToolCallGateway gateway, ClusterProperties properties, Clock clock) {
    this.jdbc = new JdbcTemplate(dataSource);
    this.gateway = gateway;
    this.properties = properties;
    this.clock = clock;
  }

  @EventListener(ApplicationReadyEvent.class)
  public void onStart() {
    try {
      settleStale();
    } catch (RuntimeException e) {
      log.warn("Settling interrupted runs failed; the re-check will try again: {}", e.toString());
    }
  }

  /** Settles every request EXECUTING for longer than the grace period; returns them as they end. */
  public List<ApprovalRequest> settleStale() {
    OffsetDateTime cutoff = OffsetDateTime.ofInstant(clock.instant().minus(properties.executingGrace()), ZoneOffset.UTC);
    List<String> ids = jdbc.queryForList(
        "SELECT id FROM approval_request WHERE state = 'EXECUTING' AND updated_at <= ? ORDER BY updated_at LIMIT 200",
        String.class, cutoff);
    return ids.stream().map(id -> {
      ApprovalRequest settled = gateway.settleInterrupted(id);
      log.warn("Approval {} was interrupted while executing; settled as {} ({})", id, settled.state(),
          settled.reason().isEmpty() ? "confirmed by the tool" : settled.reason());
      return settled;
    }).toList();
  }
}
