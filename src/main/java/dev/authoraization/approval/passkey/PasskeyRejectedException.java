package dev.authoraization.approval.passkey;

/**
 * A passkey ceremony the server refused: the message tells the approver what went wrong and that
 * nothing was decided or enrolled. It never contains key material.
 */
public class PasskeyRejectedException extends RuntimeException {

  public PasskeyRejectedException(String message) {
    super(message);
  }

  public PasskeyRejectedException(String message, Throwable cause) {
    super(message, cause);
  }
}
