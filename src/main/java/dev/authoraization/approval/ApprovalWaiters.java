package dev.authoraization.approval;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Wakes callers parked on a request the moment it changes. A waiter takes the current signal
 * before it reads the state, so a change between the read and the wait is never missed.
 */
@Component
public class ApprovalWaiters {

  private final ConcurrentHashMap<String, CompletableFuture<Void>> signals = new ConcurrentHashMap<>();

  CompletableFuture<Void> signal(String id) {
    return signals.computeIfAbsent(id, key -> new CompletableFuture<>());
  }

  /** Wakes whoever waits on this request here; they re-read its state. */
  public void wake(String id) {
    CompletableFuture<Void> signal = signals.remove(id);
    if (signal != null) {
      signal.complete(null);
    }
  }

  /** Ids of requests someone on this node waits on right now. */
  public Set<String> waiting() {
    return Set.copyOf(signals.keySet());
  }
}
