package dev.authoraization.call;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * What a policy rule demands before a call may run: who may approve, how many, for how long
 * the request stays open, and whether the requester is excluded (separation of duties).
 */
public record ApprovalRequirement(
    Set<String> approverRoles, int quorum, Duration timeToLive, boolean separationOfDuties) {

  public ApprovalRequirement {
    approverRoles = Set.copyOf(approverRoles);
    Objects.requireNonNull(timeToLive, "timeToLive");
    if (approverRoles.isEmpty()) {
      throw new IllegalArgumentException("an approval needs at least one approver role or group");
    }
    if (quorum < 1) {
      throw new IllegalArgumentException("quorum must be at least 1");
    }
    if (timeToLive.isNegative() || timeToLive.isZero()) {
      throw new IllegalArgumentException("time to live must be positive");
    }
  }
}
