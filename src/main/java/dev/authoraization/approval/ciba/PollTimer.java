package dev.authoraization.approval.ciba;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task once after a delay: how the next poll is armed. In the engine a
 * {@link ScheduledExecutorService}; in tests a timer the test moves by hand, so that a 10 s
 * {@code slow_down} interval is asserted without waiting 10 s.
 */
@FunctionalInterface
public interface PollTimer {

  void after(Duration delay, Runnable task);

  static PollTimer of(ScheduledExecutorService scheduler) {
    return (delay, task) -> scheduler.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
  }
}
