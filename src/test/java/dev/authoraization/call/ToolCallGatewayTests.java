package dev.authoraization.call;

import static dev.authoraization.support.GatewayHarness.ADMIN;
import static dev.authoraization.support.GatewayHarness.ALICE;
import static dev.authoraization.support.GatewayHarness.BOB;
import static dev.authoraization.support.GatewayHarness.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.approval.ApprovalRequest.Verdict;
import dev.authoraization.approval.ApprovalState;
import dev.authoraization.policy.Explanation;
import dev.authoraization.policy.Policy;
import dev.authoraization.policy.PolicyInput;
import dev.authoraization.support.GatewayHarness;
import dev.authoraization.support.TestDatabases;
import dev.authoraization.tool.ToolCatalog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The whole pipeline with fakes around it: what each stage lets through and what it stops. */
public class ToolCallGatewayTests {

  /** Reads are allowed for developers, merges need one approver, everything else is denied. */
  public static final Policy POLICY = new Policy() {
    @Override
    public Decision decide(PolicyInput input) {
      if (!input.call().caller().roles().contains("developer")) {
        return new Decision.Deny(Decision.DEFAULT_DENY, "no_matching_rule");
      }
      return switch (input.tool().name()) {
        case "read_notes" -> new Decision.Allow("read");
        case "merge_change" -> new Decision.NeedsApproval("merge",
            new ApprovalRequirement(Set.of("approver"), 1, Duration.ofMinutes(15), true));
        default -> new Decision.Deny(Decision.DEFAULT_DENY, "no_matching_rule");
      };
    }

    @Override
    public Explanation explain(PolicyInput input) {
      return new Explanation(decide(input), revision(), List.of());
    }

    @Override
    public String revision() {
      return "test-1";
    }
  };

  GatewayHarness h;

  @BeforeEach
  void setUp() {
    h = new GatewayHarness(TestDatabases.h2(), POLICY);
  }

  @Test
  void executeWhenTheNodeRunsItsLimitOfCallsThenTheNextIsRefusedOverloadedBeforeAnythingIsDecided() throws Exception {
    ToolCallGateway gateway = withLimit(2);
    CountDownLatch started = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    h.tools.beforeExecute = () -> {
      started.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      Callable<CallOutcome> read = () -> gateway.execute(call("read_notes", "{\"repo\":\"demo/webapp\"}", ALICE));
      List<Future<CallOutcome>> running = List.of(callers.submit(read), callers.submit(read));
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      int entries = h.audit.entries().size();

      assertThatThrownBy(read::call).isInstanceOfSatisfying(GatewayException.class, e -> {
        assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED);
        assertThat(e.details()).containsEntry("retry_after_seconds", "1");
        assertThat(e.getMessage()).contains("engine.gateway.max-concurrent-calls");
      });
      assertThat(h.audit.entries()).as("nothing decided, nothing recorded").hasSize(entries);

      release.countDown();
      for (Future<CallOutcome> call : running) {
        assertThat(call.get(10, TimeUnit.SECONDS)).isInstanceOf(CallOutcome.Completed.class);
      }
    }
    assertThat(h.tools.executions).hasValue(2);
  }

  @Test
  void executeWhenCallsEndInAnyWayThenTheirPlacesAreGivenBack() {
    ToolCallGateway gateway = withLimit(1);
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> gateway.execute(call("delete_everything", "{}", ALICE)))
          .isInstanceOf(GatewayException.class);
      Caller noRoles = Caller.of("eve", GatewayHarness.ISSUER, Set.of());
      assertThatThrownBy(() -> gateway.execute(call("read_notes", "{\"repo\":\"demo/webapp\"}", noRoles)))
          .isInstanceOf(GatewayException.class);
      assertThat(gateway.execute(call("read_notes", "{\"repo\":\"demo/webapp\"}", ALICE)))
          .isInstanceOf(CallOutcome.Completed.class);
      assertThat(gateway.execute(call("merge_change", "{\"repo\":\"demo/webapp\"}", ALICE)))
          .as("a parked call holds no place while it waits").isInstanceOf(CallOutcome.Pending.class);
    }
  }

  private ToolCallGateway withLimit(int maxConcurrentCalls) {
    return new ToolCallGateway(new ToolCatalog(List.of(h.tools)), POLICY, h.audit, h.approvals, List.of(h.tools),
        new SimpleMeterRegistry(), ObservationRegistry.NOOP, maxConcurrentCalls);
  }

  @Test
  void executeWhenAllowedThenRunsWithANarrowedCredentialAndClosesIt() {
    CallOutcome outcome = h.gateway.execute(call("read_notes", "{\"repo\":\"demo/webapp\"}", ALICE));

    assertThat(outcome).isInstanceOf(CallOutcome.Completed.class);
    assertThat(h.tools.executions).hasValue(1);
    assertThat(h.tools.requests).singleElement().satisfies(r -> {
      assertThat(r.resource()).isEqualTo("demo/webapp");
      assertThat(r.need().permissions()).containsExactlyEntriesOf(java.util.Map.of("contents", "read"));
      assertThat(r.singleUse()).isFalse();
    });
    assertThat(h.tools.closed).hasValue(h.tools.issued.get());
    assertThat(h.audit.events()).containsExactly("call.decided", "call.executed");
    assertThat(h.audit.appendedLater()).as("a read waits for one durable record, its decision")
        .containsExactly("call.executed");
  }

  @Test
  void executeWhenToolUnknownThenDeniedAndRecordedBeforeAnythingRuns() {
    assertThatThrownBy(() -> h.gateway.execute(call("delete_repository", "{\"repo\":\"demo/webapp\"}", ALICE)))
        .isInstanceOfSatisfying(GatewayException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TOOL);
          assertThat(e.details()).containsEntry("reason", "unknown_tool");
        });
    assertThat(h.tools.issued).hasValue(0);
    assertThat(h.audit.entries()).singleElement().satisfies(e -> {
      assertThat(e.effect()).isEqualTo("deny");
      assertThat(e.reason()).isEqualTo("unknown_tool");
    });
  }

  @Test
  void executeWhenPolicyDeniesThenNothingRunsAndTheReasonIsGiven() {
    var stranger = Caller.of("mallory", GatewayHarness.ISSUER, Set.of());
    assertThatThrownBy(() -> h.gateway.execute(call("read_notes", "{\"repo\":\"demo/webapp\"}", stranger)))
        .isInstanceOfSatisfying(GatewayException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.DENIED);
          assertThat(e.details()).containsEntry("reason", "no_matching_rule").containsEntry("rule", "default-deny");
        });
    assertThat(h.tools.executions).hasValue(0);
    assertThat(h.tools.issued).hasValue(0);
  }

  @Test
  void executeWhenAuditCannotBeWrittenThenNothingRuns() {
    h.audit.failFromNowOn(true);

    assertThatThrownBy(() -> h.gateway.execute(call("read_notes", "{\"repo\":\"demo/webapp\"}", ALICE)))
        .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AUDIT_UNAVAILABLE));
    assertThat(h.tools.executions).hasValue(0);
    assertThat(h.tools.issued).hasValue(0);
  }

  @Test
  void executeWhenApprovalNeededThenParksWithoutRunningOrHoldingAWriteCredential() {
    CallOutcome outcome = h.gateway.execute(call("merge_change", "{\"repo\":\"demo/webapp\"}", ALICE));

    assertThat(outcome).isInstanceOfSatisfying(CallOutcome.Pending.class, pending -> {
      ApprovalRequest request = h.approvals.get(pending.approvalId());
      assertThat(request.state()).isEqualTo(ApprovalState.PENDING);
      assertThat(request.preconditions()).containsEntry("expected_head", "head-1");
    });
    assertThat(h.tools.executions).hasValue(0);
    // only the read-only credential for the precondition was issued
    assertThat(h.tools.requests).singleElement()
        .satisfies(r -> assertThat(r.need().permissions()).containsEntry("contents", "read"));
  }

  @Test
  void approvedCallRunsOnceWithASingleUseCredentialAndTheBoundPrecondition() {
    CallOutcome.Pending pending = park();

    h.approvals.decide(pending.approvalId(), ADMIN, pending.fingerprint(), Verdict.APPROVE, "");

    ApprovalRequest done = h.approvals.await(pending.approvalId(), Duration.ofSeconds(10));
    assertThat(done.state()).isEqualTo(ApprovalState.EXECUTED);
    assertThat(done.result()).isPresent();
    assertThat(h.tools.executions).hasValue(1);
    assertThat(h.tools.executed.getFirst().arguments().path("expected_head").asString()).isEqualTo("head-1");
    assertThat(h.tools.requests.getLast().singleUse()).isTrue();
    assertThat(h.tools.closed).hasValue(h.tools.issued.get());
    assertThat(h.audit.appendedLater()).as("every record of an action is waited for").isEmpty();
    assertThat(h.audit.events()).containsSubsequence("call.decided", "approval.requested", "approval.vote",
        "approval.approved", "approval.claimed", "call.executed");
  }

  @Test
  void mergeWhenHeadMovedAfterApprovalThenRefusedAndNothingRuns() {
    CallOutcome.Pending pending = park();
    h.tools.moveHead("demo/webapp", "head-2");

    h.approvals.decide(pending.approvalId(), ADMIN, pending.fingerprint(), Verdict.APPROVE, "");

    ApprovalRequest done = h.approvals.await(pending.approvalId(), Duration.ofSeconds(10));
    assertThat(done.state()).isEqualTo(ApprovalState.FAILED);
    assertThat(done.reason()).isEqualTo("precondition_failed");
    assertThat(h.tools.executions).hasValue(0);
  }

  @Test
  void requestWhenAgentSuppliesTheBoundPreconditionThenRefused() {
    assertThatThrownBy(() -> h.gateway.execute(
        call("merge_change", "{\"repo\":\"demo/webapp\",\"expected_head\":\"attacker\"}", ALICE)))
        .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENTS));
  }

  @Test
  void fiftyConcurrentExecutionsOfOneApprovedRequestExecuteExactlyOnce() throws Exception {
    CallOutcome.Pending pending = park();
    // approve without the automatic run, so that all fifty race for the claim themselves
    var quiet = new GatewayHarness(h.dataSource, POLICY, false);
    quiet.approvals.decide(pending.approvalId(), ADMIN, pending.fingerprint(), Verdict.APPROVE, "");
    CountDownLatch start = new CountDownLatch(1);
    List<Callable<ApprovalRequest>> racers = java.util.stream.IntStream.range(0, 50)
        .<Callable<ApprovalRequest>>mapToObj(i -> () -> {
          start.await();
          return h.gateway.executeApproved(pending.approvalId());
        }).toList();
    try (ExecutorService pool = Executors.newFixedThreadPool(50)) {
      List<Future<ApprovalRequest>> results = racers.stream().map(pool::submit).toList();
      start.countDown();
      for (Future<ApprovalRequest> result : results) {
        result.get();
      }
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> h.approvals.get(pending.approvalId()).state().isFinal());
    assertThat(h.approvals.get(pending.approvalId()).state()).isEqualTo(ApprovalState.EXECUTED);
    assertThat(h.tools.executions).hasValue(1);
    assertThat(h.audit.events().stream().filter("approval.claimed"::equals)).hasSize(1);
  }

  @Test
  void followWhenCallerIsNeitherRequesterNorApproverThenTheRequestDoesNotExistForThem() {
    CallOutcome.Pending pending = park();

    assertThatThrownBy(() -> h.gateway.follow(pending.approvalId(), BOB, Duration.ZERO))
        .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.APPROVAL_NOT_FOUND));
  }

  @Test
  void followWaitsForTheDecisionAndReturnsTheResultWhenItArrives() throws Exception {
    CallOutcome.Pending pending = park();
    try (ExecutorService pool = Executors.newSingleThreadExecutor()) {
      Future<ApprovalRequest> waiting = pool.submit(() -> h.gateway.follow(pending.approvalId(), ALICE, Duration.ofSeconds(30)));

      h.approvals.decide(pending.approvalId(), ADMIN, pending.fingerprint(), Verdict.APPROVE, "");

      ApprovalRequest seen = waiting.get(10, TimeUnit.SECONDS);
      assertThat(seen.state()).isEqualTo(ApprovalState.EXECUTED);
    }
  }

  @Test
  void explainWhenToolUnknownThenSaysSoWithoutRecording() {
    Explanation explanation = h.gateway.explain(call("nope", "{}", ALICE));

    assertThat(explanation.decision()).isInstanceOfSatisfying(Decision.Deny.class,
        d -> assertThat(d.reason()).isEqualTo("unknown_tool"));
    assertThat(h.audit.events()).isEmpty();
  }

  private CallOutcome.Pending park() {
    return (CallOutcome.Pending) h.gateway.execute(call("merge_change", "{\"repo\":\"demo/webapp\"}", ALICE));
  }
}
