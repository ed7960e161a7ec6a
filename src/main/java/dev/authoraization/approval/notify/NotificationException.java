package dev.authoraization.approval.notify;

/**
 * A receiver did not accept a notification. The message is safe to log: a status code or a reason
 * of our own, never a URL (Slack's embeds its secret) nor a response body.
 */
public class NotificationException extends RuntimeException {

  public NotificationException(String message) {
    super(message);
  }
}
