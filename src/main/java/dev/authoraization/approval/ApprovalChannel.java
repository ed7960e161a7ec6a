package dev.authoraization.approval;

/**
 * Tells approvers out of band that a request waits for them (CIBA, passkey device page, mail,
 * chat). A channel must not block the call and must never send a credential or a reusable
 * approval secret; a failing channel must not stop the others.
 */
public interface ApprovalChannel {

  void requested(ApprovalRequest request);
}
