package dev.authoraization.policy.rules;

/**
 * A policy file that cannot be used: it does not parse, breaks the format, or has a condition
 * that does not compile. Thrown at load, never while deciding, so a bad policy stops start-up
 * instead of silently denying (or allowing) calls. The message names the file, the line and the
 * rule.
 */
public class PolicyLoadException extends IllegalStateException {

  public PolicyLoadException(String message) {
    super(message);
  }

  public PolicyLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
