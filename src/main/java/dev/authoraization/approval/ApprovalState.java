package dev.authoraization.approval;

import java.util.EnumSet;
import java.util.Set;

/**
 * The approval lifecycle of ARCHITECTURE.md section 3.
 *
 * <pre>
 * PENDING ──approve──► APPROVED ──claim──► EXECUTING ──► EXECUTED | FAILED
 *    ├──deny────► DENIED
 *    ├──timeout─► EXPIRED
 *    └──cancel──► CANCELLED
 * </pre>
 */
public enum ApprovalState {
  PENDING, APPROVED, EXECUTING, EXECUTED, FAILED, DENIED, EXPIRED, CANCELLED;

  /** States from which nothing moves any more. */
  public boolean isFinal() {
    return switch (this) {
      case EXECUTED, FAILED, DENIED, EXPIRED, CANCELLED -> true;
      case PENDING, APPROVED, EXECUTING -> false;
    };
  }

  /** The states this one may move to; anything else is an illegal transition. */
  public Set<ApprovalState> next() {
    return switch (this) {
      case PENDING -> EnumSet.of(APPROVED, DENIED, EXPIRED, CANCELLED);
      case APPROVED -> EnumSet.of(EXECUTING);
      case EXECUTING -> EnumSet.of(EXECUTED, FAILED);
      case EXECUTED, FAILED, DENIED, EXPIRED, CANCELLED -> EnumSet.noneOf(ApprovalState.class);
    };
  }
}
