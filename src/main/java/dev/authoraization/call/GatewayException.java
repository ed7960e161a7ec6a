package dev.authoraization.call;

import java.util.Map;
import java.util.Objects;

/**
 * The one exception of the pipeline: an {@link ErrorCode}, a message a user can act on, and
 * machine-readable details (a deny reason, a rule id). Never carries a credential.
 */
public class GatewayException extends RuntimeException {

  private final ErrorCode code;
  private final Map<String, String> details;

  public GatewayException(ErrorCode code, String message) {
    this(code, message, Map.of(), null);
  }

  public GatewayException(ErrorCode code, String message, Map<String, String> details) {
    this(code, message, details, null);
  }

  public GatewayException(ErrorCode code, String message, Map<String, String> details, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.code = Objects.requireNonNull(code, "code");
    this.details = Map.copyOf(details);
  }

  public ErrorCode code() {
    return code;
  }

  public Map<String, String> details() {
    return details;
  }
}
