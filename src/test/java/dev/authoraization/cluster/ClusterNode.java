package dev.authoraization.cluster;

import dev.authoraization.approval.ApprovalChanged;
import dev.authoraization.approval.ApprovalQuota;
import dev.authoraization.approval.ApprovalStore;
import dev.authoraization.approval.ApprovalWaiters;
import dev.authoraization.approval.Approvals;
import dev.authoraization.approval.cluster.ApprovalListener;
import dev.authoraization.approval.cluster.ClusterProperties;
import dev.authoraization.approval.cluster.ClusterRecheck;
import dev.authoraization.approval.cluster.InterruptedRuns;
import dev.authoraization.approval.cluster.PostgresNotify;
import dev.authoraization.call.ToolCallGateway;
import dev.authoraization.call.ToolCallGatewayTests;
import dev.authoraization.support.FakeTools;
import dev.authoraization.support.InMemoryAuditLog;
import dev.authoraization.support.MutableClock;
import dev.authoraization.tool.ToolCatalog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One engine node without Spring: the real approval lifecycle, gateway, NOTIFY and LISTEN on a
 * shared database, with fake tools and its own in-memory audit log. Two of them on one
 * PostgreSQL database are a two-node cluster.
 */
final class ClusterNode implements AutoCloseable {

  final FakeTools tools;
  final InMemoryAuditLog audit = new InMemoryAuditLog();
  final MutableClock clock = MutableClock.startingNow();
  final ApprovalWaiters waiters = new ApprovalWaiters();
  final PostgresNotify notify;
  final Approvals approvals;
  final ToolCallGateway gateway;
  final ApprovalListener listener;
  final ClusterRecheck recheck;

  ClusterNode(DataSource dataSource, FakeTools tools) {
    this.tools = tools;
    this.notify = new PostgresNotify(dataSource);
    AtomicReference<ToolCallGateway> gatewayRef = new AtomicReference<>();
    this.approvals = new Approvals(new ApprovalStore(new JdbcTemplate(dataSource)), audit,
        new TransactionTemplate(new DataSourceTransactionManager(dataSource)), waiters,
        event -> {
          if (event instanceof ApprovalChanged changed && gatewayRef.get() != null) {
            gatewayRef.get().onApprovalChanged(changed);
          }
        }, List.of(), clock, new SimpleMeterRegistry(), notify, ApprovalQuota.DEFAULTS);
    this.gateway = new ToolCallGateway(new ToolCatalog(List.of(tools)), ToolCallGatewayTests.POLICY, audit,
        approvals, List.of(tools), new SimpleMeterRegistry(), ObservationRegistry.NOOP);
    gatewayRef.set(gateway);
    ClusterProperties properties = new ClusterProperties(Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(1),
        Duration.ofMinutes(10));
    this.listener = new ApprovalListener(dataSource, waiters, event -> {
      if (event instanceof ApprovalChanged changed) {
        gateway.onApprovalChanged(changed);
      }
    }, notify, properties);
    this.recheck = new ClusterRecheck(dataSource, waiters, gateway, notify, properties, clock,
        new InterruptedRuns(dataSource, gateway, properties, clock));
  }

  @Override
  public void close() {
    listener.stop();
    gateway.close();
  }
}
