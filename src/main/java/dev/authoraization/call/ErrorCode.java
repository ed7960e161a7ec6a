package dev.authoraization.call;

/**
 * Every way a call can fail, each with a stable machine-readable id and the HTTP status the
 * REST door answers with. Doors map these once; nothing compares message strings.
 */
public enum ErrorCode {
  UNAUTHENTICATED("unauthenticated", 401),
  UNKNOWN_TOOL("unknown_tool", 403),
  DENIED("denied", 403),
  INVALID_ARGUMENTS("invalid_arguments", 400),
  /** The request body is over {@code engine.server.max-request-body-size}; nothing of it was used. */
  REQUEST_TOO_LARGE("request_too_large", 413),
  APPROVAL_NOT_FOUND("approval_not_found", 404),
  NOT_ELIGIBLE_APPROVER("not_eligible_approver", 403),
  SELF_APPROVAL("self_approval", 403),
  ALREADY_VOTED("already_voted", 409),
  FINGERPRINT_MISMATCH("fingerprint_mismatch", 409),
  APPROVAL_NOT_PENDING("approval_not_pending", 409),
  APPROVAL_EXPIRED("approval_expired", 409),
  APPROVAL_DENIED("approval_denied", 403),
  APPROVAL_CANCELLED("approval_cancelled", 409),
  NOT_REQUESTER("not_requester", 403),
  /**
   * The requester asked for as many approvals as {@code engine.approvals.quota} allows within its
   * window; nothing was stored or sent to an approver. The message and {@code Retry-After} say when
   * the next one may be asked for.
   */
  TOO_MANY_APPROVAL_REQUESTS("too_many_approval_requests", 429),
  PRECONDITION_FAILED("precondition_failed", 409),
  AUDIT_UNAVAILABLE("audit_unavailable", 503),
  CREDENTIAL_UNAVAILABLE("credential_unavailable", 503),
  /**
   * The user's linked account at a federated vault (Auth0 Token Vault, Keycloak broker) is gone or
   * no longer valid: only the user can fix it, by connecting the account again.
   */
  RECONNECT_REQUIRED("reconnect_required", 403),
  POLICY_UNAVAILABLE("policy_unavailable", 503),
  PROVIDER_FAILED("provider_failed", 502),
  /**
   * A dependency (GitHub, the vault, the identity provider, the CIBA provider) is down, too slow or
   * answering 5xx; the message names it and, where known, when to retry (also {@code Retry-After}).
   */
  DEPENDENCY_UNAVAILABLE("dependency_unavailable", 503),
  /** A run was interrupted (a crash) and the tool could not confirm it happened; never re-run blindly. */
  OUTCOME_UNKNOWN("outcome_unknown", 502),
  NOT_FOUND("not_found", 404),
  /** The forge refuses the action in the target's current state (a pull request that cannot be merged). */
  NOT_MERGEABLE("not_mergeable", 409),
  /** The forge's rate limit is spent; the message names when it resets. */
  RATE_LIMITED("rate_limited", 429),
  /**
   * This node is already running as many calls as it may at once ({@code engine.gateway.max-concurrent-calls});
   * nothing was decided or run, retry shortly (also {@code Retry-After}).
   */
  OVERLOADED("overloaded", 503);

  private final String id;
  private final int httpStatus;

  ErrorCode(String id, int httpStatus) {
    this.id = id;
    this.httpStatus = httpStatus;
  }

  public String id() {
    return id;
  }

  public int httpStatus() {
    return httpStatus;
  }
}
