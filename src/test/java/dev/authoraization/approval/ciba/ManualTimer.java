package dev.authoraization.approval.ciba;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** A {@link PollTimer} the test fires by hand, remembering every delay it was asked for. */
final class ManualTimer implements PollTimer {

  private final Deque<Runnable> armed = new ArrayDeque<>();
  private final List<Duration> delays = new ArrayList<>();

  @Override
  public synchronized void after(Duration delay, Runnable task) {
    delays.add(delay);
    armed.add(task);
  }

  /** Fires the next armed task as if its delay had passed. */
  void fire() {
    Runnable next;
    synchronized (this) {
      if (armed.isEmpty()) {
        throw new AssertionError("nothing is armed");
      }
      next = armed.poll();
    }
    next.run();
  }

  synchronized int armed() {
    return armed.size();
  }

  synchronized List<Duration> delays() {
    return List.copyOf(delays);
  }
}
