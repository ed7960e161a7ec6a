package dev.authoraization.approval.notify;

/**
 * One way to tell approvers about a request. {@link #send} may block (it runs on its own virtual
 * thread) and throws when the message was not accepted, so that the channel retries it.
 */
public interface Notifier {

  /** A short name for logs and metrics ("email", "slack"); never a URL or an address. */
  String name();

  void send(Notice notice) throws Exception;
}
