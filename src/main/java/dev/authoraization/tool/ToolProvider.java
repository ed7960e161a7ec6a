package dev.authoraization.tool;

import dev.authoraization.call.ToolCall;
import dev.authoraization.call.ToolResult;
import dev.authoraization.credential.Credential;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A family of tools (GitHub, say). Only {@code ToolCallGateway} calls a provider: there is no
 * other path from a door to {@link #execute}.
 */
public interface ToolProvider {

  /** The tools this provider offers; read once at start-up. */
  List<ToolDescriptor> tools();

  /**
   * The resource a call acts on (for GitHub, {@code owner/repo}): what policy conditions see as
   * {@code resource} and what the credential is narrowed to. Throws a {@code GatewayException}
   * with {@code INVALID_ARGUMENTS} when the arguments do not name one.
   */
  String resource(ToolCall call);

  /**
   * Facts an approval binds besides the arguments, such as a pull request's head SHA. Read with a
   * read-only credential when approval is requested, and again right before execution; if they
   * changed, the call is refused.
   */
  default Map<String, String> preconditions(ToolCall call, Credential readOnly) {
    return Map.of();
  }

  /**
   * What a human approver needs to see besides the arguments (for a merge: the pull request's
   * title, author, branches and changed files). Read with a read-only credential when approval is
   * requested and stored with the request. Not bound: unlike {@link #preconditions}, a later
   * change refuses nothing. Values are untrusted text (written by whoever opened the pull request).
   */
  default Map<String, String> context(ToolCall call, Credential readOnly) {
    return Map.of();
  }

  /**
   * What became of a run that was interrupted (the engine died after claiming it): the result if
   * the provider can confirm, with a read-only credential, that the call took effect; empty when
   * it cannot (or confirms it did not). The call carries its bound preconditions. Empty by
   * default: most tools cannot tell, and an unknown outcome is never re-run.
   */
  default Optional<ToolResult> outcome(ToolCall call, Credential readOnly) {
    return Optional.empty();
  }

  /** Runs the call with a credential narrowed to it. Failures are {@code GatewayException}s. */
  ToolResult execute(ToolCall call, Credential credential);
}
