package dev.authoraization.approval.cluster;

import com.zaxxer.hikari.HikariDataSource;
import dev.authoraization.approval.ApprovalChanged;
import dev.authoraization.approval.ApprovalState;
import dev.authoraization.approval.ApprovalWaiters;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * {@code LISTEN engine_approvals} on a connection of its own: each notification from another
 * node wakes this node's waiters on that request and is published here as an
 * {@link ApprovalChanged}, so an approval decided on node B runs and answers the caller parked
 * on node A. When the connection drops it is re-opened with a bounded backoff, and every local
 * waiter is woken to re-read what it may have missed meanwhile.
 */
@Component
public class ApprovalListener implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(ApprovalListener.class);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
  public static final String APPLICATION_NAME = "engine-approval-listener";

  private final DataSource dataSource;
  private final ApprovalWaiters waiters;
  private final ApplicationEventPublisher events;
  private final PostgresNotify notify;
  private final ClusterProperties properties;
  private volatile boolean running;
  private volatile boolean listening;
  private volatile Connection connection;
  private Thread thread;

  public ApprovalListener(DataSource dataSource, ApprovalWaiters waiters, ApplicationEventPublisher events,
      PostgresNotify notify, ClusterProperties properties) {
    this.dataSource = dataSource;
    this.waiters = waiters;
    this.events = events;
    this.notify = notify;
    this.properties = properties;
  }

  @Override
  public synchronized void start() {
    if (running || !notify.severalNodes()) {
      return;
    }
    running = true;
    thread = Thread.ofVirtual().name("approval-listener").start(this::listenUntilStopped);
  }

  @Override
  public synchronized void stop() {
    running = false;
    Connection open = connection;
    if (open != null) {
      try {
        open.close(); // unblocks getNotifications
      } catch (SQLException ignored) {
        // closing anyway
      }
    }
    if (thread != null) {
      try {
        thread.join(Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Whether the LISTEN is in place right now (for tests and health). */
  public boolean listening() {
    return listening;
  }

  private void listenUntilStopped() {
    Duration backoff = FIRST_BACKOFF;
    while (running) {
      try (Connection c = open(); Statement s = c.createStatement()) {
        connection = c;
        s.execute("LISTEN " + PostgresNotify.CHANNEL);
        listening = true;
        backoff = FIRST_BACKOFF;
        // whatever changed while we were not listening: let local waiters re-read
        waiters.waiting().forEach(waiters::wake);
        PGConnection pg = c.unwrap(PGConnection.class);
        while (running) {
          PGNotification[] received = pg.getNotifications(1000);
          if (received != null) {
            for (PGNotification n : received) {
              deliver(n.getParameter());
            }
          }
        }
      } catch (SQLException | RuntimeException e) {
        listening = false;
        if (!running) {
          return;
        }
        log.warn("Lost the LISTEN connection for approval wake-ups; retrying in {} ms: {}",
            backoff.toMillis(), e.toString());
        LockSupport.parkNanos(backoff.toNanos());
        backoff = backoff.multipliedBy(2).compareTo(properties.maxBackoff()) > 0
            ? properties.maxBackoff() : backoff.multipliedBy(2);
      } finally {
        listening = false;
        connection = null;
      }
    }
  }

  void deliver(String payload) {
    String[] parts = payload.split(":", 3);
    if (parts.length < 2) {
      return;
    }
    if (parts.length == 3 && parts[2].equals(notify.node())) {
      return; // our own change: already woken and published locally
    }
    ApprovalState state;
    try {
      state = ApprovalState.valueOf(parts[1]);
    } catch (IllegalArgumentException unknown) {
      return; // a newer node's state; the re-check will catch up
    }
    waiters.wake(parts[0]);
    try {
      events.publishEvent(new ApprovalChanged(parts[0], state));
    } catch (RuntimeException e) {
      log.warn("Handling a remote change of approval {} failed: {}", parts[0], e.toString());
    }
  }

  /** A connection outside the pool, so the LISTEN neither holds nor leaks a pooled one. */
  private Connection open() throws SQLException {
    Connection c = dataSource instanceof HikariDataSource hikari && hikari.getJdbcUrl() != null
        ? DriverManager.getConnection(hikari.getJdbcUrl(), hikari.getUsername(), hikari.getPassword())
        : dataSource.getConnection();
    c.setAutoCommit(true);
    c.setClientInfo("ApplicationName", APPLICATION_NAME); // visible in pg_stat_activity
    return c;
  }
}
