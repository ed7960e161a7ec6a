package dev.authoraization.approval;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How many approval requests one requester (an issuer and a subject, whichever agent acts for
 * them) may ask for within a sliding window, whatever became of those requests since. Every request
 * reaches the approvers at once (a backchannel request to their device, an e-mail), so without a
 * bound an agent talked into asking again and again, or asking and cancelling in a loop, could
 * keep their devices ringing until one of them approves by mistake ("approval fatigue"). A request
 * over the quota is refused with {@code too_many_approval_requests} (429, {@code Retry-After} when
 * the oldest counted request leaves the window) before anything is stored or sent; asking again
 * with the idempotency key of a stored request is not a new request and always answers.
 *
 * @param maxRequests requests one requester may ask for within {@code window}
 * @param window how far back requests count
 */
@ConfigurationProperties("engine.approvals.quota")
public record ApprovalQuota(@Nullable Integer maxRequests, @Nullable Duration window) {

  public static final ApprovalQuota DEFAULTS = new ApprovalQuota(null, null);

  public ApprovalQuota {
    maxRequests = maxRequests == null ? 10 : maxRequests;
    window = window == null ? Duration.ofHours(1) : window;
    if (maxRequests < 1) {
      throw new IllegalArgumentException("engine.approvals.quota.max-requests must be at least 1, was " + maxRequests);
    }
    if (!window.isPositive()) {
      throw new IllegalArgumentException("engine.approvals.quota.window must be positive, was " + window);
    }
  }
}
