package dev.authoraization.mcp;

import dev.authoraization.approval.Approvals;
import dev.authoraization.call.Caller;
import dev.authoraization.call.GatewayException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The MCP tool calls this node is answering, by their session and JSON-RPC id, so that a client's
 * {@code notifications/cancelled} for a call that waits for an approval withdraws the request it
 * made: the user who stopped the call (every MCP client sends the notification when its user
 * aborts a request) must not find the merge executed later because an approver said yes to a
 * prompt nobody waits for any more. The MCP specification asks the same of a receiver: "stop
 * processing the cancelled request"
 * (<a href="https://modelcontextprotocol.io/specification/2025-11-25/basic/utilities/cancellation">MCP
 * cancellation</a>).
 *
 * <p>Only the caller who made the call can cancel it (the session id is not an identity; a
 * notification with someone else's token changes nothing), and only while the request is pending:
 * {@link Approvals#cancel} checks both again and audits the withdrawal. A cancel that arrives
 * before the call has its approval request is kept and applied as soon as it has one. A client's
 * requests may reach any node ({@link SharedSessions}): a cancellation for a call that does not
 * wait on this node withdraws what {@link WaitingCalls} says it waits for on another, and the
 * waiting node's call, woken by the change, answers "cancelled".
 */
@Component
class InFlightCalls {

  private static final Logger log = LoggerFactory.getLogger(InFlightCalls.class);

  /**
   * The name under which a tools/call's {@link Key} travels from {@link TransportGuard}, as a request
   * attribute, into the call's MCP transport context.
   */
  static final String KEY = "dev.authoraization/call-key";

  /** A client's request: its MCP session and its JSON-RPC id written as JSON ({@code 1} and {@code "1"} differ). */
  record Key(String session, String id) {}

  private final ConcurrentMap<Key, Call> calls = new ConcurrentHashMap<>();
  private final Approvals approvals;
  private final WaitingCalls waiting;

  InFlightCalls(Approvals approvals, WaitingCalls waiting) {
    this.approvals = approvals;
    this.waiting = waiting;
  }

  /**
   * Notes {@code caller}'s call until the returned handle is closed; with no key (a request the
   * guard did not see in a session) the handle notes nothing.
   */
  Call open(@Nullable Key key, Caller caller) {
    var call = new Call(key, caller);
    if (key != null) {
      calls.put(key, call);
    }
    return call;
  }

  /** {@code caller} cancels the call {@code key}; nothing happens when there is none, or it is not theirs. */
  void cancel(Key key, Caller caller) {
    Call call = calls.get(key);
    if (call == null) {
      waiting.approvals(key, caller).forEach(id -> withdraw(id, caller));
    } else if (call.caller.principal().equals(caller.principal())) {
      call.cancel();
    } else {
      log.debug("MCP cancellation of another caller's call ignored");
    }
  }

  private void withdraw(String id, Caller caller) {
    try {
      approvals.cancel(id, caller);
      log.info("Approval request {} withdrawn: its MCP client cancelled the call", id);
    } catch (GatewayException refused) { // decided or executed meanwhile: too late to cancel
      log.debug("MCP cancellation of approval request {} refused: {}", id, refused.code().id());
    } catch (RuntimeException failed) { // the database: the request stays pending, as after a failed REST cancel
      log.warn("Approval request {} could not be withdrawn after its MCP client cancelled the call ({})", id,
          failed.getClass().getSimpleName());
    }
  }

  /** How many calls are noted: for tests, to see that none is left behind. */
  int size() {
    return calls.size();
  }

  /** One tools/call, from before the gateway sees it until it is answered. */
  final class Call implements AutoCloseable {

    private final @Nullable Key key;
    private final Caller caller;
    private @Nullable String approvalId;
    private boolean cancelled;
    private boolean recorded;

    private Call(@Nullable Key key, Caller caller) {
      this.key = key;
      this.caller = caller;
    }

    /** The call now waits for approval {@code id}; withdrawn at once if its client cancelled it already. */
    void waitsFor(String id) {
      boolean withdraw;
      synchronized (this) {
        approvalId = id;
        withdraw = cancelled;
      }
      if (withdraw) {
        withdraw(id, caller);
      } else if (key != null) {
        recorded = waiting.waiting(key, caller, id);
      }
    }

    private void cancel() {
      String id;
      synchronized (this) {
        if (cancelled) {
          return;
        }
        cancelled = true;
        id = approvalId;
      }
      if (id != null) {
        withdraw(id, caller);
      }
    }

    @Override
    public void close() {
      if (key != null) {
        calls.remove(key, this);
        if (recorded && approvalId != null) {
          waiting.done(key, approvalId);
        }
      }
    }
  }
}
