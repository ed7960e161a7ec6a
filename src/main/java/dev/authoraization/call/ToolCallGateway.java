package dev.authoraization.call;

import dev.authoraization.approval.ApprovalChanged;
import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.approval.ApprovalState;
import dev.authoraization.approval.Approvals;
import dev.authoraization.audit.AuditEntry;
import dev.authoraization.audit.AuditLog;
import dev.authoraization.credential.Credential;
import dev.authoraization.credential.CredentialNeed;
import dev.authoraization.credential.CredentialRequest;
import dev.authoraization.credential.CredentialVault;
import dev.authoraization.policy.Explanation;
import dev.authoraization.policy.Policy;
import dev.authoraization.policy.PolicyInput;
import dev.authoraization.tool.Risk;
import dev.authoraization.tool.ToolCatalog;
import dev.authoraization.tool.ToolDescriptor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one path from a door to a tool (ARCHITECTURE.md section 1): identify → describe → decide →
 * record → (approve) → re-check → credential → execute → record. No other code calls a
 * {@code ToolProvider}.
 */
@Service
public class ToolCallGateway implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ToolCallGateway.class);
  /**
   * How long a node leaves an approved request to the node that parked it before running it itself.
   * A NOTIFY reaches the other node in milliseconds (bench/RESULTS.md: p99 44 ms across two nodes);
   * this only delays the rare run whose parking node died or restarted.
   */
  public static final Duration OTHER_NODE_DELAY = Duration.ofSeconds(3);

  /** {@code engine.gateway.max-concurrent-calls} when not configured (application.yml says the same). */
  public static final int DEFAULT_MAX_CONCURRENT_CALLS = 256;
  /** How long a call beyond the limit waits for a place before it is refused. */
  static final Duration ADMISSION_WAIT = Duration.ofMillis(100);
  static final long OVERLOADED_RETRY_AFTER_SECONDS = 1;

  private final int maxConcurrentCalls;
  private final Semaphore running;
  private final ToolCatalog catalog;
  private final Policy policy;
  private final AuditLog audit;
  private final Approvals approvals;
  private final List<CredentialVault> vaults;
  private final MeterRegistry meters;
  private final ObservationRegistry observations;
  private final ExecutorService approvedRuns = Executors.newVirtualThreadPerTaskExecutor();
  /**
   * Requests this node parked and nobody has run yet. With several nodes an approved call runs on
   * the node that parked it: what a federated vault fetched at park time and the caller's own token
   * (Auth0 Token Vault, Keycloak broker tokens) are in that node's memory only (docs/adr/0009).
   */
  private final Set<String> parkedHere = ConcurrentHashMap.newKeySet();

  /** Without Spring: the default limit of calls at once. */
  public ToolCallGateway(ToolCatalog catalog, Policy policy, AuditLog audit, Approvals approvals,
      List<CredentialVault> vaults, MeterRegistry meters, ObservationRegistry observations) {
    this(catalog, policy, audit, approvals, vaults, meters, observations, DEFAULT_MAX_CONCURRENT_CALLS);
  }

  /**
   * @param maxConcurrentCalls how many calls {@link #execute} runs at once on this node; one more
   *     waits up to {@link #ADMISSION_WAIT} for a place, then is refused with {@code overloaded}
   */
  @Autowired
  public ToolCallGateway(ToolCatalog catalog, Policy policy, AuditLog audit, Approvals approvals,
      List<CredentialVault> vaults, MeterRegistry meters, ObservationRegistry observations,
      @Value("${engine.gateway.max-concurrent-calls:" + DEFAULT_MAX_CONCURRENT_CALLS + "}") int maxConcurrentCalls) {
    if (maxConcurrentCalls < 1) {
      throw new IllegalArgumentException("engine.gateway.max-concurrent-calls must be at least 1, not "
          + maxConcurrentCalls);
    }
    this.maxConcurrentCalls = maxConcurrentCalls;
    this.running = new Semaphore(maxConcurrentCalls);
    this.catalog = catalog;
    this.policy = policy;
    this.audit = audit;
    this.approvals = approvals;
    this.vaults = vaults;
    this.meters = meters;
    this.observations = observations;
    for (ToolDescriptor tool : catalog.descriptors()) {
      vaultFor(tool.credential()); // fail at start-up, not per request, when a tool has no vault
    }
  }

  /**
   * Runs a call as far as policy lets it: the result for an allowed call, a pending approval for
   * one that needs a human, a {@link GatewayException} for everything else.
   */
  public CallOutcome execute(ToolCall call) {
    return execute(call, "");
  }

  /**
   * As {@link #execute(ToolCall)}, for an agent: {@code askedWith} is the user's line that led to
   * the call; a call that needs approval keeps it in its request's context
   * ({@link ApprovalRequest#ASKED_WITH}), so the approver reads it even after the conversation
   * moved on. Shown, never bound, and no more trusted than the user who typed it.
   */
  public CallOutcome execute(ToolCall call, String askedWith) {
    if (!admitted()) {
      meters.counter("engine.calls.refused.overloaded").increment();
      throw new GatewayException(ErrorCode.OVERLOADED, "The engine is already running " + maxConcurrentCalls
          + " calls, its limit (engine.gateway.max-concurrent-calls); nothing was decided or run. Retry in "
          + OVERLOADED_RETRY_AFTER_SECONDS + " s.",
          Map.of("retry_after_seconds", Long.toString(OVERLOADED_RETRY_AFTER_SECONDS)));
    }
    try {
      return executeAdmitted(call, askedWith);
    } finally {
      running.release();
    }
  }

  /**
   * A place among the calls running at once. Without the bound, a burst above what the node can
   * serve piles up requests (each holding its forge response and JSON) until the heap runs out
   * (bench/RESULTS.md, issue 8: an open loop at half the saturated rate ran a 512 MiB node out of
   * memory); with it the excess is refused at once, before anything is decided or recorded.
   */
  private boolean admitted() {
    try {
      return running.tryAcquire(ADMISSION_WAIT.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private CallOutcome executeAdmitted(ToolCall call, String askedWith) {
    String decisionId = UUID.randomUUID().toString();
    // 2 describe: an unknown tool is denied before policy sees it
    ToolCatalog.Entry entry = catalog.find(call.tool()).orElse(null);
    if (entry == null) {
      record(decisionId, call, new Decision.Deny(Decision.DEFAULT_DENY, "unknown_tool"), "denied");
      throw new GatewayException(ErrorCode.UNKNOWN_TOOL, "There is no tool named '" + call.tool() + "'.",
          Map.of("reason", "unknown_tool"));
    }
    String resource = entry.provider().resource(call);
    // 3 decide, 4 record before acting
    Decision decision = policy.decide(new PolicyInput(call, entry.descriptor(), resource));
    meters.counter("engine.decisions", "effect", decision.effect()).increment();
    return switch (decision) {
      case Decision.Deny deny -> {
        record(decisionId, call, deny, "denied");
        throw new GatewayException(ErrorCode.DENIED,
            "Policy denied this call (rule " + deny.ruleId() + ", reason " + deny.reason() + ").",
            Map.of("reason", deny.reason(), "rule", deny.ruleId()));
      }
      case Decision.Allow allow -> {
        record(decisionId, call, allow, "allowed");
        yield new CallOutcome.Completed(decisionId, run(decisionId, call, entry, resource, allow));
      }
      case Decision.NeedsApproval needs -> {
        record(decisionId, call, needs, "pending");
        try {
          yield park(decisionId, call, entry, resource, needs, askedWith);
        } catch (GatewayException e) { // no request was stored: the decision's record must not stay the last word
          if (e.code() != ErrorCode.AUDIT_UNAVAILABLE) {
            audit.append(outcome("call.failed", decisionId, call, needs).outcome("failed").reason(e.code().id()).build());
          }
          throw e;
        }
      }
    };
  }

  /** The dry run: what policy would decide for this call, and why. Nothing is recorded or run. */
  public Explanation explain(ToolCall call) {
    ToolCatalog.Entry entry = catalog.find(call.tool()).orElse(null);
    if (entry == null) {
      return new Explanation(new Decision.Deny(Decision.DEFAULT_DENY, "unknown_tool"), policy.revision(),
          List.of(new Explanation.RuleTrace(Decision.DEFAULT_DENY, "unknown_tool",
              "There is no tool named '" + call.tool() + "'; unknown tools are denied before policy.")));
    }
    return policy.explain(new PolicyInput(call, entry.descriptor(), entry.provider().resource(call)));
  }

  /**
   * Executes an approved request once: claims it (APPROVED → EXECUTING, which only one caller on
   * any node wins), re-checks its preconditions, and runs it. Everyone else gets the request as
   * it stands; wait on it to see the outcome.
   */
  public ApprovalRequest executeApproved(String approvalId) {
    ApprovalRequest request = approvals.claim(approvalId).orElse(null);
    if (request == null) {
      return approvals.get(approvalId);
    }
    String credentialUsed = "";
    try {
      ToolCatalog.Entry entry = catalog.find(request.call().tool()).orElseThrow(() -> new GatewayException(
          ErrorCode.UNKNOWN_TOOL, "The tool '" + request.call().tool() + "' is no longer offered."));
      // 6 re-check: what the approver saw must still be true
      if (!request.preconditions().isEmpty()) {
        Map<String, String> now = preconditions(request.call(), entry, request.resource());
        if (!now.equals(request.preconditions())) {
          throw new GatewayException(ErrorCode.PRECONDITION_FAILED,
              "What was approved no longer holds (was " + request.preconditions() + ", now " + now
                  + "); nothing was executed. Ask for a new approval.");
        }
      }
      ToolCall bound = bind(request.call(), request.preconditions());
      ToolResult result;
      // the credential is closed (a single-use token revoked) before anyone learns the outcome
      try (Credential credential = credential(entry.descriptor(), bound, request.resource())) {
        credentialUsed = credential.description();
        result = observe(entry.descriptor(), () -> entry.provider().execute(bound, credential));
      } catch (GatewayException lost) {
        // A timeout or a 5xx on a write may hide a success: ask the provider, never send it again.
        if (lost.code() != ErrorCode.DEPENDENCY_UNAVAILABLE) {
          throw lost;
        }
        java.util.Optional<ToolResult> seen;
        try {
          seen = outcomeOf(entry, bound, request);
        } catch (RuntimeException stillDown) {
          log.warn("Could not learn whether approval {} took effect: {}", approvalId, stillDown.getMessage());
          throw new GatewayException(ErrorCode.OUTCOME_UNKNOWN, lost.getMessage()
              + " Whether it took effect could not be checked either; it was not re-run. Check the target before asking again.",
              lost.details(), lost);
        }
        result = seen.orElseThrow(() -> lost);
      }
      return approvals.complete(approvalId, result, credentialUsed);
    } catch (GatewayException e) {
      return approvals.fail(approvalId, e, credentialUsed);
    } catch (RuntimeException e) {
      log.error("Tool {} failed for approval {}", request.call().tool(), approvalId, e);
      return approvals.fail(approvalId, new GatewayException(ErrorCode.PROVIDER_FAILED,
          "The tool failed unexpectedly."), credentialUsed);
    }
  }

  /**
   * Settles a request left EXECUTING by a run that died (after the claim, before the outcome was
   * recorded): EXECUTED when the provider confirms, with a read-only credential, that the call
   * took effect; FAILED with {@code outcome_unknown} otherwise. It never runs the call again.
   * Both moves are conditional on EXECUTING, so a live run that finishes first wins.
   */
  public ApprovalRequest settleInterrupted(String approvalId) {
    ApprovalRequest request = approvals.get(approvalId);
    if (request.state() != ApprovalState.EXECUTING) {
      return request;
    }
    java.util.Optional<ToolResult> outcome = java.util.Optional.empty();
    String credentialUsed = "";
    try {
      ToolCatalog.Entry entry = catalog.find(request.call().tool()).orElse(null);
      if (entry != null) {
        ToolCall bound = bind(request.call(), request.preconditions());
        CredentialNeed readOnly = entry.descriptor().credential().readOnly();
        try (Credential credential = vaultFor(readOnly).issue(
            new CredentialRequest(readOnly, request.resource(), request.requester(), false))) {
          credentialUsed = credential.description();
          outcome = entry.provider().outcome(bound, credential);
        }
      }
    } catch (RuntimeException e) {
      log.warn("Could not learn the outcome of interrupted approval {}: {}", approvalId, e.toString());
    }
    try {
      return outcome.isPresent()
          ? approvals.complete(approvalId, outcome.get(), credentialUsed)
          : approvals.fail(approvalId, new GatewayException(ErrorCode.OUTCOME_UNKNOWN,
              "The run was interrupted and the tool could not confirm it took effect; it was not re-run."),
              credentialUsed);
    } catch (GatewayException settledMeanwhile) {
      return approvals.get(approvalId);
    }
  }

  /** What the provider reports, with a read-only credential, about a call whose answer was lost; empty when it did not happen. */
  private java.util.Optional<ToolResult> outcomeOf(ToolCatalog.Entry entry, ToolCall bound, ApprovalRequest request) {
    CredentialNeed readOnly = entry.descriptor().credential().readOnly();
    try (Credential credential = vaultFor(readOnly).issue(
        new CredentialRequest(readOnly, request.resource(), request.requester(), false))) {
      return entry.provider().outcome(bound, credential);
    }
  }

  /**
   * Waits (up to {@code wait}) for the request's outcome and returns it. Only the requester and
   * the request's eligible approvers may see it; to anyone else it does not exist.
   */
  public ApprovalRequest follow(String approvalId, Caller caller, Duration wait) {
    mayFollow(approvalId, caller);
    return wait.isZero() ? approvals.get(approvalId) : approvals.await(approvalId, wait);
  }

  /**
   * As {@link #follow}, without holding a thread while it waits (the REST door's long poll). Who
   * may follow is checked before this returns: a stranger gets the {@link GatewayException} at
   * once, not a future.
   */
  public CompletableFuture<ApprovalRequest> followAsync(String approvalId, Caller caller, Duration wait) {
    mayFollow(approvalId, caller);
    return wait.isZero() ? CompletableFuture.completedFuture(approvals.get(approvalId))
        : approvals.awaitAsync(approvalId, wait);
  }

  /**
   * Refuses anyone but the requester and eligible approvers; runs an APPROVED request nobody ran
   * yet when the requester follows it (their token is at hand here) or this node parked it.
   */
  private void mayFollow(String approvalId, Caller caller) {
    ApprovalRequest request = approvals.get(approvalId);
    boolean requester = request.requester().principal().equals(caller.principal());
    if (!requester && !caller.hasAnyRole(request.requirement().approverRoles())) {
      throw new GatewayException(ErrorCode.APPROVAL_NOT_FOUND, "No approval request " + approvalId + ".");
    }
    if (request.state() == ApprovalState.APPROVED && (requester || runsHere(approvalId))) {
      executeApproved(approvalId);
    }
  }

  /** An approved request runs at once on this node when this node parked it, or when it is the only node. */
  private boolean runsHere(String approvalId) {
    return parkedHere.contains(approvalId) || !approvals.severalNodes();
  }

  /**
   * Approved requests run at once on the node that parked them (a single node parked them all).
   * Another node that hears of the approval steps in only after {@link #OTHER_NODE_DELAY}, for
   * when that node is gone or restarted; the claim keeps it to one run either way.
   */
  @EventListener
  public void onApprovalChanged(ApprovalChanged changed) {
    String id = changed.id();
    if (changed.state() == ApprovalState.APPROVED) {
      boolean here = runsHere(id);
      parkedHere.remove(id);
      if (here) {
        approvedRuns.execute(() -> executeApproved(id));
      } else {
        CompletableFuture.delayedExecutor(OTHER_NODE_DELAY.toMillis(), TimeUnit.MILLISECONDS, approvedRuns)
            .execute(() -> executeApproved(id));
      }
    } else if (changed.state().isFinal()) {
      parkedHere.remove(id);
    }
  }

  /** Runs APPROVED requests left unclaimed, e.g. by a restart between approval and execution. */
  @EventListener(ApplicationReadyEvent.class)
  public void resumeApproved() {
    approvals.approvedUnclaimed().forEach(id -> approvedRuns.execute(() -> executeApproved(id)));
  }

  @Override
  public void close() {
    approvedRuns.close();
  }

  private CallOutcome park(String decisionId, ToolCall call, ToolCatalog.Entry entry, String resource,
      Decision.NeedsApproval needs, String askedWith) {
    Map<String, String> preconditions;
    Map<String, String> context;
    try (Credential readOnly = readOnly(call, entry, resource)) {
      preconditions = entry.provider().preconditions(call, readOnly);
      context = entry.provider().context(call, readOnly);
    }
    for (String name : preconditions.keySet()) {
      if (call.arguments().has(name)) {
        throw new GatewayException(ErrorCode.INVALID_ARGUMENTS,
            "The argument '" + name + "' is set by the engine from the approval; do not send it.");
      }
    }
    if (!askedWith.isBlank()) {
      context = new HashMap<>(context);
      context.put(ApprovalRequest.ASKED_WITH, capped(askedWith.strip().replace("\0", ""), ApprovalRequest.MAX_ASKED_WITH));
    }
    ApprovalRequest request = approvals.request(call, decisionId, resource, preconditions, context, needs,
        policy.revision());
    parkedHere.add(request.id());
    return new CallOutcome.Pending(request.decisionId(), request.id(), request.fingerprint(), request.expiresAt());
  }

  private static String capped(String text, int max) {
    return text.codePointCount(0, text.length()) <= max ? text
        : text.substring(0, text.offsetByCodePoints(0, max - 1)) + "…";
  }

  /**
   * Runs an allowed call; its decision record is already durable. The outcome of a read is only
   * queued (nothing changed, so nothing is lost if it never lands but the record of its outcome);
   * a write's outcome is waited for.
   */
  private ToolResult run(String decisionId, ToolCall call, ToolCatalog.Entry entry, String resource,
      Decision.Allow allow) {
    Consumer<AuditEntry> recordOutcome =
        entry.descriptor().risk() == Risk.READ ? audit::appendLater : audit::append;
    String credentialUsed = "";
    try {
      ToolResult result;
      try (Credential credential = credential(entry.descriptor(), call, resource)) {
        credentialUsed = credential.description();
        result = observe(entry.descriptor(), () -> entry.provider().execute(call, credential));
      }
      recordOutcome.accept(outcome("call.executed", decisionId, call, allow).credential(credentialUsed)
          .outcome("executed").build());
      return result;
    } catch (GatewayException e) {
      if (e.code() != ErrorCode.AUDIT_UNAVAILABLE) {
        recordOutcome.accept(outcome("call.failed", decisionId, call, allow).credential(credentialUsed)
            .outcome("failed").reason(e.code().id()).build());
      }
      throw e;
    }
  }

  private Map<String, String> preconditions(ToolCall call, ToolCatalog.Entry entry, String resource) {
    try (Credential credential = readOnly(call, entry, resource)) {
      return entry.provider().preconditions(call, credential);
    }
  }

  private Credential readOnly(ToolCall call, ToolCatalog.Entry entry, String resource) {
    CredentialNeed readOnly = entry.descriptor().credential().readOnly();
    return vaultFor(readOnly).issue(new CredentialRequest(readOnly, resource, call.caller(), false));
  }

  private Credential credential(ToolDescriptor tool, ToolCall call, String resource) {
    boolean singleUse = tool.risk() == Risk.DESTRUCTIVE;
    return vaultFor(tool.credential()).issue(new CredentialRequest(tool.credential(), resource, call.caller(), singleUse));
  }

  private CredentialVault vaultFor(CredentialNeed need) {
    return vaults.stream().filter(v -> v.supports(need.kind())).findFirst()
        .orElseThrow(() -> new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE,
            "No credential vault is configured for '" + need.kind() + "' credentials."));
  }

  private ToolResult observe(ToolDescriptor tool, java.util.function.Supplier<ToolResult> call) {
    return Observation.createNotStarted("engine.tool.call", observations)
        .lowCardinalityKeyValue("tool", tool.name())
        .lowCardinalityKeyValue("risk", tool.risk().name().toLowerCase())
        .observe(call);
  }

  /** Bound preconditions reach the provider as arguments of the same name (e.g. the approved head SHA). */
  private static ToolCall bind(ToolCall call, Map<String, String> preconditions) {
    if (preconditions.isEmpty()) {
      return call;
    }
    ObjectNode arguments = (ObjectNode) call.arguments().deepCopy(); // ToolCall holds objects only
    preconditions.forEach(arguments::put);
    return new ToolCall(call.tool(), arguments, call.caller(), call.idempotencyKey());
  }

  private void record(String decisionId, ToolCall call, Decision decision, String outcome) {
    audit.append(AuditEntry.event("call.decided", decisionId).caller(call.caller())
        .tool(call.tool(), call.arguments())
        .decision(decision.effect(), decision.ruleId(), decision instanceof Decision.Deny d ? d.reason() : "")
        .outcome(outcome).policyRevision(policy.revision()).build());
  }

  private AuditEntry.Builder outcome(String event, String decisionId, ToolCall call, Decision decision) {
    return AuditEntry.event(event, decisionId).caller(call.caller()).tool(call.tool(), call.arguments())
        .decision(decision.effect(), decision.ruleId(), "").policyRevision(policy.revision());
  }
}
