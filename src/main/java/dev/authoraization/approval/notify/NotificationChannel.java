package dev.authoraization.approval.notify;

import dev.authoraization.approval.ApprovalChannel;
import dev.authoraization.approval.ApprovalRequest;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells approvers about a new request through every configured {@link Notifier}. Returns at once:
 * each notifier runs on its own virtual thread, is retried with exponential backoff
 * (Resilience4j), and can neither block the caller nor stop the others. Counts each outcome as
 * {@code engine.notifications{notifier, outcome=sent|failed}}. Logs name the notifier, the request
 * and a safe reason only (a status code or an exception type), never a URL, an address or a body.
 */
public class NotificationChannel implements ApprovalChannel, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NotificationChannel.class);

  private final List<Notifier> notifiers;
  private final NotificationProperties properties;
  private final RetryRegistry retries;
  private final MeterRegistry meters;
  private final Clock clock;
  private final ExecutorService executor =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("notify-", 0).factory());

  public NotificationChannel(List<Notifier> notifiers, NotificationProperties properties, MeterRegistry meters,
      Clock clock) {
    this.notifiers = List.copyOf(notifiers);
    this.properties = properties;
    this.meters = meters;
    this.clock = clock;
    NotificationProperties.Retry retry = properties.retry();
    this.retries = RetryRegistry.of(RetryConfig.custom()
        .maxAttempts(retry.maxAttempts())
        .intervalFunction(IntervalFunction.ofExponentialBackoff(retry.initialBackoff(), retry.multiplier()))
        .retryExceptions(Exception.class)
        .ignoreExceptions(InterruptedException.class)
        .failAfterMaxAttempts(false)
        .build());
    for (Notifier notifier : this.notifiers) {
      retries.retry(notifier.name()).getEventPublisher().onRetry(event -> log.info(
          "Notifier {} attempt {} failed ({}); retrying in {} ms", notifier.name(), event.getNumberOfRetryAttempts(),
          safeReason(event.getLastThrowable()), event.getWaitInterval().toMillis()));
      for (String outcome : List.of("sent", "failed")) {
        counter(notifier, outcome);
      }
    }
  }

  /** The names of the configured notifiers, for the start-up log and for tests. */
  public List<String> notifierNames() {
    return notifiers.stream().map(Notifier::name).toList();
  }

  @Override
  public void requested(ApprovalRequest request) {
    if (notifiers.isEmpty()) {
      return;
    }
    Notice notice = Notice.of(request, properties.approverUrl(), properties.summaryArguments(), clock.instant());
    for (Notifier notifier : notifiers) {
      executor.execute(() -> deliver(notifier, notice));
    }
  }

  private void deliver(Notifier notifier, Notice notice) {
    Retry retry = retries.retry(notifier.name());
    try {
      retry.executeCheckedSupplier(() -> {
        notifier.send(notice);
        return null;
      });
      counter(notifier, "sent").increment();
      log.debug("Notifier {} told the approvers of request {}", notifier.name(), notice.approvalId());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      counter(notifier, "failed").increment();
    } catch (Throwable e) {
      counter(notifier, "failed").increment();
      log.warn("Notifier {} gave up on request {} after {} attempts: {}", notifier.name(), notice.approvalId(),
          retry.getRetryConfig().getMaxAttempts(), safeReason(e));
    }
  }

  private Counter counter(Notifier notifier, String outcome) {
    return Counter.builder("engine.notifications")
        .description("Approval notifications by notifier and outcome")
        .tag("notifier", notifier.name()).tag("outcome", outcome)
        .register(meters);
  }

  /**
   * Our own messages are written to be safe; other exceptions may quote a URL (whose path can be
   * a Slack secret) or a server's answer, so only their type is logged.
   */
  private static String safeReason(Throwable e) {
    return e instanceof NotificationException ? e.getMessage() : e.getClass().getName();
  }

  /** Stops taking work; deliveries in flight end with their own timeouts. */
  @Override
  public void close() {
    executor.shutdown();
  }
}
