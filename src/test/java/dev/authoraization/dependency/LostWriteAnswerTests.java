package dev.authoraization.dependency;

import static dev.authoraization.support.GatewayHarness.ADMIN;
import static dev.authoraization.support.GatewayHarness.ALICE;
import static dev.authoraization.support.GatewayHarness.call;
import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.approval.ApprovalRequest.Verdict;
import dev.authoraization.approval.ApprovalState;
import dev.authoraization.approval.ApprovalStore;
import dev.authoraization.approval.ApprovalWaiters;
import dev.authoraization.approval.Approvals;
import dev.authoraization.call.ApprovalRequirement;
import dev.authoraization.call.CallOutcome;
import dev.authoraization.call.Decision;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.call.ToolCall;
import dev.authoraization.call.ToolCallGateway;
import dev.authoraization.call.ToolResult;
import dev.authoraization.credential.Credential;
import dev.authoraization.credential.CredentialRequest;
import dev.authoraization.credential.CredentialVault;
import dev.authoraization.policy.Explanation;
import dev.authoraization.policy.Policy;
import dev.authoraization.policy.PolicyInput;
import dev.authoraization.support.FakeTools;
import dev.authoraization.support.InMemoryAuditLog;
import dev.authoraization.support.MutableClock;
import dev.authoraization.support.TestDatabases;
import dev.authoraization.tool.ToolCatalog;
import dev.authoraization.tool.ToolDescriptor;
import dev.authoraization.tool.ToolProvider;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * An approved merge whose answer is lost (GitHub timed out or answered 5xx): the engine never
 * sends it again; it asks the provider whether it took effect and records what it learns.
 */
class LostWriteAnswerTests {

  /** What the forge did with the write, and whether it can be asked afterwards. */
  enum Forge { MERGED_BUT_ANSWER_LOST, NOT_MERGED, MERGED_AND_STILL_DOWN }

  /** FakeTools whose merge answer is lost, and whose outcome check reports what really happened. */
  static final class Flaky implements ToolProvider, CredentialVault {
    final FakeTools fake = new FakeTools();
    final Forge forge;
    boolean merged;

    Flaky(Forge forge) {
      this.forge = forge;
    }

    @Override
    public List<ToolDescriptor> tools() {
      return fake.tools();
    }

    @Override
    public String resource(ToolCall call) {
      return fake.resource(call);
    }

    @Override
    public Map<String, String> preconditions(ToolCall call, Credential readOnly) {
      return fake.preconditions(call, readOnly);
    }

    @Override
    public ToolResult execute(ToolCall call, Credential credential) {
      if (forge != Forge.NOT_MERGED) {
        fake.execute(call, credential);
        merged = true;
      }
      throw new GatewayException(ErrorCode.DEPENDENCY_UNAVAILABLE,
          "github unavailable: api.github.com did not answer within 30000 ms; retry later.", Map.of("dependency", "github"));
    }

    @Override
    public Optional<ToolResult> outcome(ToolCall call, Credential readOnly) {
      if (forge == Forge.MERGED_AND_STILL_DOWN) {
        throw new GatewayException(ErrorCode.DEPENDENCY_UNAVAILABLE, "github unavailable: still down.");
      }
      return merged ? Optional.of(new ToolResult(fake.executed.getLast().arguments())) : Optional.empty();
    }

    @Override
    public boolean supports(String kind) {
      return fake.supports(kind);
    }

    @Override
    public Credential issue(CredentialRequest request) {
      return fake.issue(request);
    }
  }

  static final Policy MERGES_NEED_ONE = new Policy() {
    @Override
    public Decision decide(PolicyInput input) {
      return new Decision.NeedsApproval("merge-one", new ApprovalRequirement(Set.of("approver"), 1, Duration.ofMinutes(15), true));
    }

    @Override
    public Explanation explain(PolicyInput input) {
      return new Explanation(decide(input), revision(), List.of());
    }

    @Override
    public String revision() {
      return "lost-1";
    }
  };

  private ApprovalRequest approveAndRun(Forge forge, Flaky tools) {
    DataSource db = TestDatabases.h2();
    Approvals approvals = new Approvals(new ApprovalStore(new JdbcTemplate(db)), new InMemoryAuditLog(),
        new TransactionTemplate(new DataSourceTransactionManager(db)), new ApprovalWaiters(), event -> {},
        List.of(), MutableClock.startingNow(), new SimpleMeterRegistry());
    ToolCallGateway gateway = new ToolCallGateway(new ToolCatalog(List.of(tools)), MERGES_NEED_ONE, new InMemoryAuditLog(),
        approvals, List.of(tools), new SimpleMeterRegistry(), ObservationRegistry.NOOP);
    CallOutcome.Pending parked = (CallOutcome.Pending) gateway.execute(call("merge_change", "{\"repo\":\"demo/webapp\"}", ALICE));
    ApprovalRequest request = approvals.get(parked.approvalId());
    approvals.decide(request.id(), ADMIN, request.fingerprint(), Verdict.APPROVE, "");
    return gateway.executeApproved(request.id());
  }

  @Test
  void mergeWhoseAnswerWasLostButWhichHappenedIsRecordedExecutedAndNotSentAgain() {
    Flaky tools = new Flaky(Forge.MERGED_BUT_ANSWER_LOST);

    ApprovalRequest done = approveAndRun(Forge.MERGED_BUT_ANSWER_LOST, tools);

    assertThat(done.state()).isEqualTo(ApprovalState.EXECUTED);
    assertThat(tools.fake.executions.get()).isEqualTo(1);
  }

  @Test
  void mergeThatDidNotHappenFailsNamingGitHubAndIsNotSentAgain() {
    Flaky tools = new Flaky(Forge.NOT_MERGED);

    ApprovalRequest done = approveAndRun(Forge.NOT_MERGED, tools);

    assertThat(done.state()).isEqualTo(ApprovalState.FAILED);
    assertThat(done.reason()).isEqualTo(ErrorCode.DEPENDENCY_UNAVAILABLE.id());
    assertThat(tools.fake.executions.get()).isZero();
  }

  @Test
  void mergeWhoseOutcomeCannotBeCheckedEndsOutcomeUnknownNeverRetried() {
    Flaky tools = new Flaky(Forge.MERGED_AND_STILL_DOWN);

    ApprovalRequest done = approveAndRun(Forge.MERGED_AND_STILL_DOWN, tools);

    assertThat(done.state()).isEqualTo(ApprovalState.FAILED);
    assertThat(done.reason()).as(done.toString()).isEqualTo(ErrorCode.OUTCOME_UNKNOWN.id());
    assertThat(tools.fake.executions.get()).isEqualTo(1);
  }
}
