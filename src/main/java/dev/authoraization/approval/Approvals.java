package dev.authoraization.approval;

import dev.authoraization.approval.ApprovalRequest.Verdict;
import dev.authoraization.audit.AuditEntry;
import dev.authoraization.audit.AuditLog;
import dev.authoraization.call.Caller;
import dev.authoraization.call.Decision;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.Fingerprint;
import dev.authoraization.call.GatewayException;
import dev.authoraization.call.ToolCall;
import dev.authoraization.call.ToolResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The approval lifecycle: request, vote, cancel, expire, claim, complete. Each transition is one
 * conditional update and one audit record in the same transaction (if the audit record cannot be
 * written, the transition does not happen); waiters are woken after commit.
 */
@Service
public class Approvals {

  private static final Logger log = LoggerFactory.getLogger(Approvals.class);

  /** Where a woken waiter re-reads its request: a virtual thread each, for the moment it runs. */
  private static final Executor WAKE_UPS = task -> Thread.ofVirtual().name("approval-wake-up").start(task);

  private final ApprovalStore store;
  private final AuditLog audit;
  private final TransactionTemplate tx;
  private final ApprovalWaiters waiters;
  private final ApplicationEventPublisher events;
  private final List<ApprovalChannel> channels;
  private final Clock clock;
  private final Timer latency;
  private final Broadcast broadcast;
  private final ApprovalQuota quota;
  private final Counter overQuota;
  private final Set<String> claiming = ConcurrentHashMap.newKeySet();
  /**
   * One requester's new requests are counted and stored one at a time on this node, so parallel
   * calls cannot all read the count below the quota; a lock per stripe of requesters, not per
   * requester, so the set stays fixed.
   */
  private final ReentrantLock[] asking = new ReentrantLock[64];

  /**
   * Tells other nodes about a transition, inside the transaction that makes it, so that the
   * message leaves only on commit (PostgreSQL's NOTIFY does exactly that). Single-node engines
   * have none.
   */
  @FunctionalInterface
  public interface Broadcast {
    Broadcast NONE = (id, state) -> { };

    void changed(String id, ApprovalState state);

    /** Whether other engine nodes may share this database and act on its requests too. */
    default boolean severalNodes() {
      return false;
    }
  }

  public Approvals(ApprovalStore store, AuditLog audit, TransactionTemplate tx, ApprovalWaiters waiters,
      ApplicationEventPublisher events, List<ApprovalChannel> channels, Clock clock, MeterRegistry meters) {
    this(store, audit, tx, waiters, events, channels, clock, meters, Broadcast.NONE, ApprovalQuota.DEFAULTS);
  }

  @Autowired
  public Approvals(ApprovalStore store, AuditLog audit, TransactionTemplate tx, ApprovalWaiters waiters,
      ApplicationEventPublisher events, List<ApprovalChannel> channels, Clock clock, MeterRegistry meters,
      ObjectProvider<Broadcast> broadcast, ApprovalQuota quota) {
    this(store, audit, tx, waiters, events, channels, clock, meters, broadcast.getIfAvailable(() -> Broadcast.NONE),
        quota);
  }

  public Approvals(ApprovalStore store, AuditLog audit, TransactionTemplate tx, ApprovalWaiters waiters,
      ApplicationEventPublisher events, List<ApprovalChannel> channels, Clock clock, MeterRegistry meters,
      Broadcast broadcast, ApprovalQuota quota) {
    this.broadcast = broadcast;
    this.quota = Objects.requireNonNull(quota, "quota");
    for (int i = 0; i < asking.length; i++) {
      asking[i] = new ReentrantLock();
    }
    this.store = store;
    this.audit = audit;
    this.tx = tx;
    this.waiters = waiters;
    this.events = events;
    this.channels = channels;
    this.clock = clock;
    this.latency = Timer.builder("engine.approval.latency")
        .description("Time from an approval request to its decision by a human")
        .publishPercentileHistogram().register(meters);
    Gauge.builder("engine.approval.waiters", waiters, ApprovalWaiters::size)
        .description("Callers waiting on this node for an approval request to change").register(meters);
    this.overQuota = Counter.builder("engine.approval.over.quota")
        .description("Approval requests refused because their requester had asked for as many as the quota allows")
        .register(meters);
  }

  /** Whether other engine nodes may share the database (PostgreSQL) and act on its requests too. */
  public boolean severalNodes() {
    return broadcast.severalNodes();
  }

  /**
   * Stores a new request for a call that needs approval. Asking again with the same idempotency
   * key returns the stored request instead of a second one; a new request over the requester's
   * {@link ApprovalQuota} is refused before anything is stored or sent.
   */
  public ApprovalRequest request(ToolCall call, String decisionId, String resource,
      Map<String, String> preconditions, Map<String, String> context, Decision.NeedsApproval decision,
      String policyRevision) {
    Fingerprint fingerprint = Fingerprint.of(call.tool(), call.arguments(), preconditions);
    ReentrantLock lock = asking[Math.floorMod(call.caller().principal().hashCode(), asking.length)];
    ApprovalRequest request;
    lock.lock();
    try {
      Optional<ApprovalRequest> existing = store.findByIdempotencyKey(call.caller(), call.idempotencyKey());
      if (existing.isPresent()) {
        return sameCallOrRefuse(existing.get(), fingerprint);
      }
      for (ApprovalChannel channel : channels) {
        channel.ready(); // e.g. the CIBA provider's circuit is open: refuse before storing anything
      }
      Instant now = now();
      refuseOverQuota(call.caller(), now);
      request = new ApprovalRequest(UUID.randomUUID().toString(), decisionId, call, resource,
          fingerprint, preconditions, context, decision.ruleId(), decision.requirement(), policyRevision,
          ApprovalState.PENDING, now, now.plus(decision.requirement().timeToLive()), "", Optional.empty(), List.of());
      ApprovalRequest stored = request;
      try {
        tx.executeWithoutResult(status -> {
          store.insert(stored);
          audit.append(entry("approval.requested", stored).outcome("pending").build());
        });
      } catch (DataAccessException duplicate) {
        // another node stored a request with the same idempotency key first
        return store.findByIdempotencyKey(call.caller(), call.idempotencyKey())
            .map(other -> sameCallOrRefuse(other, fingerprint)).orElseThrow(() -> duplicate);
      }
    } finally {
      lock.unlock();
    }
    for (ApprovalChannel channel : channels) {
      try {
        channel.requested(request);
      } catch (RuntimeException e) {
        log.warn("Approval channel {} failed for request {}: {}", channel.getClass().getSimpleName(),
            request.id(), e.toString());
      }
    }
    return request;
  }

  /**
   * Refuses a new request when the requester already asked for as many as the quota allows within
   * its window; the next may be asked for once the oldest of those leaves the window.
   */
  private void refuseOverQuota(Caller requester, Instant now) {
    List<Instant> asked = store.askedSince(requester, now.minus(quota.window()), quota.maxRequests());
    if (asked.size() < quota.maxRequests()) {
      return;
    }
    overQuota.increment();
    Instant next = asked.getLast().plus(quota.window());
    long seconds = Math.max(1, (Duration.between(now, next).toMillis() + 999) / 1000);
    throw new GatewayException(ErrorCode.TOO_MANY_APPROVAL_REQUESTS,
        "You have asked for " + quota.maxRequests() + " approvals in the last " + human(quota.window())
            + ", as many as this engine allows (engine.approvals.quota); nothing was stored or sent to an approver."
            + " The next may be asked for in " + seconds + " s; if you did not mean to ask this often, check what your"
            + " agent was told.",
        Map.of("retry_after_seconds", Long.toString(seconds), "max_requests", Integer.toString(quota.maxRequests()),
            "window_seconds", Long.toString(quota.window().toSeconds())));
  }

  /** A window as a reader says it: "1 h", "15 min", "90 s". */
  private static String human(Duration window) {
    if (window.toSecondsPart() == 0 && window.toMinutesPart() == 0) {
      return window.toHours() + " h";
    }
    return window.toSecondsPart() == 0 ? window.toMinutes() + " min" : window.toSeconds() + " s";
  }

  public ApprovalRequest get(String id) {
    return store.find(id).orElseThrow(() -> notFound(id));
  }

  public List<ApprovalRequest> pending(int limit) {
    return store.pending(limit);
  }

  /**
   * One approver's answer. Accepted only for the same fingerprint, while pending, before expiry,
   * from an eligible approver who is not the requester (when the rule separates duties), once per
   * approver. A deny ends the request; approvals count towards the quorum.
   */
  public ApprovalRequest decide(String id, Caller approver, Fingerprint fingerprint, Verdict verdict, String reason) {
    return decide(id, approver, fingerprint, verdict, reason, Evidence.unverified("direct"));
  }

  /** As above, with what the approval channel verified; it goes into the vote's audit record. */
  public ApprovalRequest decide(String id, Caller approver, Fingerprint fingerprint, Verdict verdict, String reason,
      Evidence evidence) {
    ApprovalState reached = tx.execute(status -> {
      ApprovalRequest request = store.lock(id).orElseThrow(() -> notFound(id));
      Instant now = now();
      if (request.state() == ApprovalState.PENDING && !now.isBefore(request.expiresAt())) {
        expire(request, now);
        return ApprovalState.EXPIRED;
      }
      refuseUnlessPending(request);
      if (!request.fingerprint().equals(fingerprint)) {
        throw new GatewayException(ErrorCode.FINGERPRINT_MISMATCH,
            "This approval is for another action: the fingerprint does not match request " + id + ".");
      }
      if (!approver.hasAnyRole(request.requirement().approverRoles())) {
        throw new GatewayException(ErrorCode.NOT_ELIGIBLE_APPROVER,
            "You are not an eligible approver for this request: it needs one of the roles "
                + request.requirement().approverRoles() + ".");
      }
      if (request.requirement().separationOfDuties() && approver.principal().equals(request.requester().principal())) {
        throw new GatewayException(ErrorCode.SELF_APPROVAL,
            "You asked for this action, so you cannot approve it (separation of duties).");
      }
      boolean voted = request.votes().stream().anyMatch(v ->
          v.approverSubject().equals(approver.subject()) && v.approverIssuer().equals(approver.issuer()));
      if (voted) {
        throw new GatewayException(ErrorCode.ALREADY_VOTED, "You have already answered this request.");
      }
      store.insertVote(id, new ApprovalRequest.Vote(approver.subject(), approver.issuer(), verdict, reason, now));
      audit.append(entry("approval.vote", request).approval(id, approver.subject())
          .outcome(verdict.name().toLowerCase()).reason(reason).evidence(evidence.toJson()).build());
      long approvals = 1 + request.votes().stream().filter(v -> v.verdict() == Verdict.APPROVE).count();
      if (verdict == Verdict.DENY) {
        move(request, ApprovalState.DENIED, reason.isBlank() ? "denied_by_approver" : reason, approver.subject(), now);
        return ApprovalState.DENIED;
      }
      if (approvals >= request.requirement().quorum()) {
        move(request, ApprovalState.APPROVED, "", approver.subject(), now);
        return ApprovalState.APPROVED;
      }
      return ApprovalState.PENDING;
    });
    ApprovalRequest after = get(id);
    if (reached == ApprovalState.EXPIRED) {
      changed(after);
      throw new GatewayException(ErrorCode.APPROVAL_EXPIRED, "Request " + id + " expired before it was decided.");
    }
    if (reached != ApprovalState.PENDING) {
      latency.record(Duration.between(after.createdAt(), now()));
    }
    changed(after);
    return after;
  }

  /** The requester withdraws a pending request. */
  public ApprovalRequest cancel(String id, Caller caller) {
    tx.executeWithoutResult(status -> {
      ApprovalRequest request = store.lock(id).orElseThrow(() -> notFound(id));
      if (!request.requester().principal().equals(caller.principal())) {
        throw new GatewayException(ErrorCode.NOT_REQUESTER, "Only the requester can cancel request " + id + ".");
      }
      refuseUnlessPending(request);
      move(request, ApprovalState.CANCELLED, "cancelled_by_requester", caller.subject(), now());
    });
    ApprovalRequest after = get(id);
    changed(after);
    return after;
  }

  /**
   * The engine withdraws a pending request that nobody can decide (its approval channel's
   * provider is unavailable): PENDING → CANCELLED with {@code reason}, audited without an actor.
   * False when it was no longer pending.
   */
  public boolean withdraw(String id, String reason) {
    Boolean withdrawn = tx.execute(status -> {
      Optional<ApprovalRequest> request = store.lock(id);
      if (request.isEmpty() || request.get().state() != ApprovalState.PENDING) {
        return false;
      }
      move(request.get(), ApprovalState.CANCELLED, reason, "", now());
      return true;
    });
    if (Boolean.TRUE.equals(withdrawn)) {
      changed(get(id));
      return true;
    }
    return false;
  }

  /**
   * Claims an approved request for execution: APPROVED → EXECUTING, which succeeds for exactly one
   * caller across threads and nodes. Empty when someone else claimed it or it is not approved.
   */
  public Optional<ApprovalRequest> claim(String id) {
    // One claim attempt per request per node at a time: the others would each hold a pooled
    // connection while blocked on the row lock, and starve the audit writer the winner needs.
    // The attempt in flight settles it; losers wait for the outcome like anyone else.
    if (!claiming.add(id)) {
      return Optional.empty();
    }
    try {
      return claimOnce(id);
    } finally {
      claiming.remove(id);
    }
  }

  private Optional<ApprovalRequest> claimOnce(String id) {
    Boolean claimed = tx.execute(status -> {
      if (!store.transition(id, ApprovalState.APPROVED, ApprovalState.EXECUTING, "", now())) {
        return false;
      }
      ApprovalRequest request = store.find(id).orElseThrow(() -> notFound(id));
      audit.append(entry("approval.claimed", request).outcome("executing").build());
      broadcast.changed(id, ApprovalState.EXECUTING);
      return true;
    });
    if (!Boolean.TRUE.equals(claimed)) {
      return Optional.empty();
    }
    ApprovalRequest request = get(id);
    changed(request);
    return Optional.of(request);
  }

  /** EXECUTING → EXECUTED with the tool's result. */
  public ApprovalRequest complete(String id, ToolResult result, String credential) {
    tx.executeWithoutResult(status -> {
      ApprovalRequest request = store.find(id).orElseThrow(() -> notFound(id));
      if (!store.complete(id, result.content(), now())) {
        throw illegal(request, ApprovalState.EXECUTED);
      }
      audit.append(entry("call.executed", request).credential(credential).outcome("executed").build());
      broadcast.changed(id, ApprovalState.EXECUTED);
    });
    ApprovalRequest after = get(id);
    changed(after);
    return after;
  }

  /** EXECUTING → FAILED, recording why (an error code, never a secret). */
  public ApprovalRequest fail(String id, GatewayException error, String credential) {
    tx.executeWithoutResult(status -> {
      ApprovalRequest request = store.find(id).orElseThrow(() -> notFound(id));
      if (!store.transition(id, ApprovalState.EXECUTING, ApprovalState.FAILED, error.code().id(), now())) {
        throw illegal(request, ApprovalState.FAILED);
      }
      audit.append(entry("call.failed", request).credential(credential).outcome("failed")
          .reason(error.code().id()).build());
      broadcast.changed(id, ApprovalState.FAILED);
    });
    ApprovalRequest after = get(id);
    changed(after);
    return after;
  }

  /**
   * Waits until the request reaches a final state or the wait runs out, whichever comes first,
   * woken by the change itself (no polling loop). Returns the request as it then is. For callers
   * that have a thread to spend (the agent, the MCP door); the same wait as {@link #awaitAsync}.
   */
  public ApprovalRequest await(String id, Duration wait) {
    CompletableFuture<ApprovalRequest> waiting = awaitAsync(id, wait);
    try {
      return waiting.get();
    } catch (InterruptedException e) {
      waiting.cancel(false);
      Thread.currentThread().interrupt();
      return get(id);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException failure ? failure : new IllegalStateException(e.getCause());
    }
  }

  /**
   * The request once it reaches a final state or the wait runs out, whichever comes first. While
   * it waits, nothing holds a thread: a signal in {@link ApprovalWaiters} (completed after a local
   * commit, a NOTIFY from another node, or the cluster re-check) and, if the request is pending, a
   * timer for its own expiry. Each wake-up re-reads the state on a fresh virtual thread, never on
   * the thread that made the change. Cancelling the returned future (the client hung up) removes
   * the waiter at once.
   */
  public CompletableFuture<ApprovalRequest> awaitAsync(String id, Duration wait) {
    CompletableFuture<ApprovalRequest> result = new CompletableFuture<>();
    check(id, System.nanoTime() + wait.toNanos(), result);
    return result;
  }

  private void check(String id, long deadline, CompletableFuture<ApprovalRequest> result) {
    while (!result.isDone()) {
      CompletableFuture<Void> signal = waiters.signal(id);
      ApprovalRequest request;
      try {
        request = get(id);
        if (request.state() == ApprovalState.PENDING && !now().isBefore(request.expiresAt())) {
          waiters.remove(id, signal);
          expireIfPending(id);
          continue;
        }
      } catch (RuntimeException e) {
        waiters.remove(id, signal);
        result.completeExceptionally(e);
        return;
      }
      long left = deadline - System.nanoTime();
      if (request.state().isFinal() || left <= 0 || waiters.draining()) {
        waiters.remove(id, signal);
        result.complete(request);
        return;
      }
      // a pending request also wakes its waiter when its own expiry is due
      long timeout = request.state() == ApprovalState.PENDING
          ? Math.min(left, Math.max(Duration.between(now(), request.expiresAt()).toNanos(), 0) + 1_000_000)
          : left;
      // a waiter that gives up leaves nothing behind: neither its signal here nor its timer
      result.whenComplete((done, failure) -> {
        waiters.remove(id, signal);
        signal.cancel(false);
      });
      signal.completeOnTimeout(null, timeout, TimeUnit.NANOSECONDS)
          .thenRunAsync(() -> {
            waiters.remove(id, signal);
            check(id, deadline, result);
          }, WAKE_UPS);
      return;
    }
  }

  /** Moves every overdue pending request to EXPIRED; returns how many. */
  public int expireOverdue() {
    int expired = 0;
    for (String id : store.overdue(now(), 500)) {
      if (expireIfPending(id)) {
        expired++;
      }
    }
    return expired;
  }

  /** APPROVED requests that nobody claimed (after a restart, for example). */
  public List<String> approvedUnclaimed() {
    return store.approvedUnclaimed(500);
  }

  private boolean expireIfPending(String id) {
    Boolean expired = tx.execute(status -> {
      Optional<ApprovalRequest> request = store.lock(id);
      if (request.isEmpty() || request.get().state() != ApprovalState.PENDING) {
        return false;
      }
      expire(request.get(), now());
      return true;
    });
    if (Boolean.TRUE.equals(expired)) {
      changed(get(id));
      return true;
    }
    return false;
  }

  private void expire(ApprovalRequest request, Instant now) {
    move(request, ApprovalState.EXPIRED, "expired", "", now);
  }

  private void move(ApprovalRequest request, ApprovalState to, String reason, String by, Instant now) {
    if (!store.transition(request.id(), request.state(), to, reason, now)) {
      throw illegal(request, to);
    }
    audit.append(entry("approval." + to.name().toLowerCase(), request).approval(request.id(), by)
        .outcome(to.name().toLowerCase()).reason(reason).build());
    broadcast.changed(request.id(), to);
  }

  private void changed(ApprovalRequest request) {
    waiters.wake(request.id());
    events.publishEvent(new ApprovalChanged(request.id(), request.state()));
  }

  private AuditEntry.Builder entry(String event, ApprovalRequest request) {
    return AuditEntry.event(event, request.decisionId())
        .caller(request.requester())
        .tool(request.call().tool(), request.call().arguments())
        .decision("approve", request.ruleId(), "")
        .approval(request.id(), "")
        .policyRevision(request.policyRevision());
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static ApprovalRequest sameCallOrRefuse(ApprovalRequest existing, Fingerprint fingerprint) {
    if (!existing.fingerprint().equals(fingerprint)) {
      throw new GatewayException(ErrorCode.INVALID_ARGUMENTS,
          "This idempotency key was already used for a different call; use a new key.");
    }
    return existing;
  }

  private static void refuseUnlessPending(ApprovalRequest request) {
    switch (request.state()) {
      case PENDING -> { }
      case EXPIRED -> throw new GatewayException(ErrorCode.APPROVAL_EXPIRED,
          "Request " + request.id() + " has expired.");
      case CANCELLED -> throw new GatewayException(ErrorCode.APPROVAL_CANCELLED,
          "Request " + request.id() + " was cancelled ("
          + (request.reason().isBlank() ? "cancelled_by_requester" : request.reason()) + ").");
      default -> throw new GatewayException(ErrorCode.APPROVAL_NOT_PENDING,
          "Request " + request.id() + " is " + request.state() + ", no longer pending.");
    }
  }

  private static GatewayException illegal(ApprovalRequest request, ApprovalState to) {
    return new GatewayException(ErrorCode.APPROVAL_NOT_PENDING,
        "Request " + request.id() + " cannot move from " + request.state() + " to " + to + ".");
  }

  private static GatewayException notFound(String id) {
    return new GatewayException(ErrorCode.APPROVAL_NOT_FOUND, "No approval request " + id + ".");
  }
}
