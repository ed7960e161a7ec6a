package dev.authoraization.approval.ciba;

/**
 * How one backchannel authentication request ended, for metrics and tests. Holds no token.
 *
 * @param authReqId the provider's handle of the request (empty when it was refused at once)
 * @param detail why, for {@code REFUSED}, {@code FAILED} and {@code NOT_COUNTED}
 */
public record CibaOutcome(String approvalId, String loginHint, String authReqId, Kind kind, String detail) {

  /** The ways a backchannel authentication request ends on our side. */
  public enum Kind {
    /** The provider refused the authentication request itself. */
    NOT_SENT,
    /** Verified tokens; the approval was recorded. */
    APPROVED,
    /** Verified tokens, but the engine did not count the vote (not eligible, expired, ...). */
    NOT_COUNTED,
    /** The tokens failed verification; nothing was recorded. */
    REFUSED,
    /** {@code access_denied}: recorded as a deny. */
    DENIED,
    /** {@code expired_token}, or our own deadline passed. */
    EXPIRED,
    /** Another error from the token endpoint. */
    FAILED,
    /** The approval request was decided elsewhere; polling stopped. */
    STOPPED
  }

  @Override
  public String toString() {
    return "CibaOutcome[approvalId=" + approvalId + ", loginHint=" + loginHint + ", kind=" + kind
        + ", detail=" + detail + "]";
  }
}
