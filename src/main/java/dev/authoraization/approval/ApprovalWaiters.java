package dev.authoraization.approval;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Wakes callers parked on a request the moment it changes. A waiter takes a signal before it
 * reads the state, so a change between the read and the wait is never missed. Each waiter has a
 * signal of its own, so one that gives up (its client hung up, its wait ran out) is removed
 * without touching the others: nothing of it stays here. When the node shuts down, every waiter is
 * answered at once ({@link #drain}).
 */
@Component
public class ApprovalWaiters implements SmartLifecycle {

  /**
   * Stopped with the web server's graceful shutdown (Spring Boot's {@code
   * WebServerGracefulShutdownLifecycle} phase), which waits for in-flight requests: a parked long
   * poll is one, so it is answered now rather than holding the shutdown until its wait runs out.
   */
  static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

  // each set is only changed inside the map's atomic compute for its key, or after wake removed it
  private final ConcurrentHashMap<String, Set<CompletableFuture<Void>>> signals = new ConcurrentHashMap<>();
  private volatile boolean running;
  private volatile boolean draining;

  /** Registers a waiter on this request: its signal completes at the request's next change. */
  CompletableFuture<Void> signal(String id) {
    CompletableFuture<Void> signal = new CompletableFuture<>();
    signals.compute(id, (key, set) -> {
      Set<CompletableFuture<Void>> waiting = set == null ? new HashSet<>(2) : set;
      waiting.add(signal);
      return waiting;
    });
    return signal;
  }

  /** Forgets one waiter (it was woken, timed out or gave up); the request's entry goes with its last. */
  void remove(String id, CompletableFuture<Void> signal) {
    signals.computeIfPresent(id, (key, set) -> {
      set.remove(signal);
      return set.isEmpty() ? null : set;
    });
  }

  /** Wakes whoever waits on this request here; they re-read its state. */
  public void wake(String id) {
    Set<CompletableFuture<Void>> waiting = signals.remove(id);
    if (waiting != null) {
      waiting.forEach(signal -> signal.complete(null));
    }
  }

  /**
   * This node is shutting down: every parked waiter is answered with its request's current state
   * (a pending one stays pending; its caller polls again and the load balancer sends it to
   * another node), and a wait that starts from now on returns at once. Nothing is decided,
   * cancelled or lost: the requests live in the database.
   */
  public void drain() {
    draining = true;
    signals.keySet().forEach(this::wake);
  }

  /** Whether this node is shutting down, so nobody should be parked here any more. */
  public boolean draining() {
    return draining;
  }

  /** Started, or started again after a stop (a paused context in the test framework is stopped and restarted). */
  @Override
  public void start() {
    draining = false;
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    drain();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  /** Ids of requests someone on this node waits on right now. */
  public Set<String> waiting() {
    return Set.copyOf(signals.keySet());
  }

  /** How many waiters are registered on this node right now (each parked call is one). */
  public int size() {
    return signals.values().stream().mapToInt(Set::size).sum();
  }
}
