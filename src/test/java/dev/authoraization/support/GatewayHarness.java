package dev.authoraization.support;

import dev.authoraization.approval.ApprovalChanged;
import dev.authoraization.approval.ApprovalChannel;
import dev.authoraization.approval.ApprovalQuota;
import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.approval.ApprovalStore;
import dev.authoraization.approval.ApprovalWaiters;
import dev.authoraization.approval.Approvals;
import dev.authoraization.call.ApprovalRequirement;
import dev.authoraization.call.Caller;
import dev.authoraization.call.Decision;
import dev.authoraization.call.ToolCall;
import dev.authoraization.call.ToolCallGateway;
import dev.authoraization.policy.Explanation;
import dev.authoraization.policy.Policy;
import dev.authoraization.policy.PolicyInput;
import dev.authoraization.tool.ToolCatalog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The real gateway and approval lifecycle on a real database, with fake tools, a fake vault,
 * an in-memory audit log and a policy given by the test: the pipeline without Spring.
 */
public final class GatewayHarness {

  public static final String ISSUER = "https://issuer.test";
  public static final Caller ALICE = Caller.of("alice", ISSUER, Set.of("developer"));
  public static final Caller BOB = Caller.of("bob", ISSUER, Set.of("developer"));
  public static final Caller ADMIN = Caller.of("admin", ISSUER, Set.of("approver"));
  public static final Caller CAROL = Caller.of("carol", ISSUER, Set.of("approver"));
  private static final JsonMapper JSON = JsonMapper.builder().build();

  public final DataSource dataSource;
  public final FakeTools tools = new FakeTools();
  public final InMemoryAuditLog audit = new InMemoryAuditLog();
  public final MutableClock clock = MutableClock.startingNow();
  public final ApprovalWaiters waiters = new ApprovalWaiters();
  /** Every request an approver was told of, in order: the one approval channel. */
  public final List<ApprovalRequest> notified = new CopyOnWriteArrayList<>();
  public final Approvals approvals;
  public final ToolCallGateway gateway;

  public GatewayHarness(DataSource dataSource, Policy policy) {
    this(dataSource, policy, true);
  }

  /**
   * @param runOnApproval whether an approval starts the run at once, as in the engine; tests that
   *     race executions themselves turn it off
   */
  public GatewayHarness(DataSource dataSource, Policy policy, boolean runOnApproval) {
    this(dataSource, policy, runOnApproval, ApprovalQuota.DEFAULTS);
  }

  /** @param quota how many approvals one requester may ask for: the engine's default unless a test is about it */
  public GatewayHarness(DataSource dataSource, Policy policy, boolean runOnApproval, ApprovalQuota quota) {
    this.dataSource = dataSource;
    AtomicReference<ToolCallGateway> gatewayRef = new AtomicReference<>();
    this.approvals = new Approvals(new ApprovalStore(new JdbcTemplate(dataSource)), audit,
        new TransactionTemplate(new DataSourceTransactionManager(dataSource)), waiters,
        event -> {
          if (runOnApproval && event instanceof ApprovalChanged changed && gatewayRef.get() != null) {
            gatewayRef.get().onApprovalChanged(changed);
          }
        }, List.of((ApprovalChannel) notified::add), clock, new SimpleMeterRegistry(), Approvals.Broadcast.NONE,
        quota);
    this.gateway = new ToolCallGateway(new ToolCatalog(List.of(tools)), policy, audit, approvals,
        List.of(tools), new SimpleMeterRegistry(), ObservationRegistry.NOOP);
    gatewayRef.set(gateway);
  }

  /** A policy under which developers' merges need {@code approval} and everything else is denied. */
  public static Policy mergesNeed(ApprovalRequirement approval) {
    return new Policy() {
      @Override
      public Decision decide(PolicyInput input) {
        return input.tool().name().equals("merge_change") && input.call().caller().roles().contains("developer")
            ? new Decision.NeedsApproval("merge", approval)
            : new Decision.Deny(Decision.DEFAULT_DENY, "no_matching_rule");
      }

      @Override
      public Explanation explain(PolicyInput input) {
        return new Explanation(decide(input), revision(), List.of());
      }

      @Override
      public String revision() {
        return "merges-need-approval";
      }
    };
  }

  public static ToolCall call(String tool, String argumentsJson, Caller caller) {
    return new ToolCall(tool, JSON.readTree(argumentsJson), caller, UUID.randomUUID().toString());
  }
}
