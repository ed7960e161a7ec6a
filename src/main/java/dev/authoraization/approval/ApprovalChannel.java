package dev.authoraization.approval;

/**
 * Tells approvers out of band that a request waits for them (CIBA, passkey device page, mail,
 * chat). A channel must not block the call and must never send a credential or a reusable
 * approval secret; a failing channel must not stop the others.
 */
public interface ApprovalChannel {

  void requested(ApprovalRequest request);

  /**
   * Called before a request is stored: throws (a {@code GatewayException}, e.g.
   * {@code dependency_unavailable}) when this channel knows it cannot ask anyone now, so the
   * caller hears so at once and nothing is stored. Must not block; by default ready.
   */
  default void ready() {}
}
