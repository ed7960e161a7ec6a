package dev.authoraization.approval;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Moves overdue pending requests to EXPIRED (each with its audit record), so that waiters are
 * woken and nothing stays pending for ever. Waiters also expire a request they find overdue.
 */
@Component
class ApprovalSweeper {

  private static final Logger log = LoggerFactory.getLogger(ApprovalSweeper.class);

  private final Approvals approvals;

  ApprovalSweeper(Approvals approvals) {
    this.approvals = approvals;
  }

  @Scheduled(fixedDelayString = "${engine.approvals.sweep-interval:PT5S}")
  void expireOverdue() {
    try {
      int expired = approvals.expireOverdue();
      if (expired > 0) {
        log.info("Expired {} approval request(s) that nobody decided in time", expired);
      }
    } catch (RuntimeException e) {
      log.warn("Expiry sweep failed; it will run again: {}", e.toString());
    }
  }
}
