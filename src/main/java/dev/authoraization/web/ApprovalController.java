package dev.authoraization.web;

import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.approval.ApprovalRequest.Verdict;
import dev.authoraization.approval.Approvals;
import dev.authoraization.approval.Evidence;
import dev.authoraization.call.Caller;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.Fingerprint;
import dev.authoraization.call.GatewayException;
import dev.authoraization.call.ToolCallGateway;
import io.swagger.v3.oas.annotations.Operation;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;
import tools.jackson.databind.JsonNode;

/** Following, cancelling and (for approvers) deciding approval requests. */
@RestController
@RequestMapping("/api/v1/approvals")
class ApprovalController {

  /** The evidence channel of a REST decision: none, it is the test and demo door. */
  static final String REST_DEMO = "rest-demo";

  /** How much longer than the asked wait the container keeps an answer open before it answers itself. */
  private static final Duration CONTAINER_SLACK = Duration.ofSeconds(10);

  private final ToolCallGateway gateway;
  private final Approvals approvals;
  private final Duration maxWait;
  private final boolean restDecisions;

  ApprovalController(ToolCallGateway gateway, Approvals approvals,
      @Value("${engine.approvals.max-wait:PT60S}") Duration maxWait,
      @Value("${engine.approvals.rest-decisions:false}") boolean restDecisions) {
    this.gateway = gateway;
    this.approvals = approvals;
    this.maxWait = maxWait;
    this.restDecisions = restDecisions;
  }

  /** An approval request as its requester and approvers see it. */
  record View(String id, String state, String tool, JsonNode arguments, String resource, String fingerprint,
      Map<String, String> preconditions, Requester requester, String rule, Approvers approvers,
      Instant createdAt, Instant expiresAt, String reason, List<VoteView> votes, Optional<JsonNode> result) {

    static View of(ApprovalRequest r) {
      return new View(r.id(), r.state().name(), r.call().tool(), r.call().arguments(), r.resource(),
          r.fingerprint().hex(), r.preconditions(),
          new Requester(r.requester().subject(), r.requester().issuer(), r.requester().agent().orElse("")),
          r.ruleId(), new Approvers(r.requirement().approverRoles().stream().sorted().toList(),
              r.requirement().quorum(), r.requirement().separationOfDuties()),
          r.createdAt(), r.expiresAt(), r.reason(),
          r.votes().stream().map(v -> new VoteView(v.approverSubject(), v.verdict().name(), v.reason(), v.at())).toList(),
          r.result());
    }
  }

  record Requester(String subject, String issuer, String agent) {}

  record Approvers(List<String> roles, int quorum, boolean separationOfDuties) {}

  record VoteView(String approver, String verdict, String reason, Instant at) {}

  /** An approver's answer: it must name the fingerprint the approver was shown. */
  record DecisionRequest(@Nullable String verdict, @Nullable String fingerprint, @Nullable String reason) {}

  @Operation(summary = "Follow an approval request",
      description = "With wait (seconds, or ISO-8601 like PT30S) the call returns as soon as the request "
          + "reaches a final state, or when the wait runs out.")
  @GetMapping("/{id}")
  DeferredResult<View> get(@PathVariable String id, @RequestParam(required = false) @Nullable String wait,
      Authentication authentication) {
    Duration waitFor = parseWait(wait);
    // checked here, on the request thread: a stranger's id is refused before anything waits
    CompletableFuture<ApprovalRequest> following = gateway.followAsync(id, Callers.of(authentication), waitFor);
    // the container's own limit only backs up the wait, which answers the state by itself when it runs out
    DeferredResult<View> answer = new DeferredResult<>(waitFor.plus(CONTAINER_SLACK).toMillis());
    answer.onTimeout(() -> answer.setResult(View.of(approvals.get(id))));
    // the client hung up (or the container gave up): forget the waiter now, not when the wait runs out
    answer.onError(failure -> following.cancel(false));
    answer.onCompletion(() -> following.cancel(false));
    following.whenComplete((request, failure) -> {
      if (failure == null) {
        answer.setResult(View.of(request));
      } else {
        answer.setErrorResult(failure instanceof CompletionException wrapped && wrapped.getCause() != null
            ? wrapped.getCause() : failure);
      }
    });
    return answer;
  }

  @Operation(summary = "Pending requests the caller may decide")
  @GetMapping
  List<View> pending(Authentication authentication) {
    Caller caller = Callers.of(authentication);
    return approvals.pending(200).stream()
        .filter(r -> caller.hasAnyRole(r.requirement().approverRoles()))
        .map(View::of).toList();
  }

  @Operation(summary = "Cancel your own pending request")
  @PostMapping("/{id}/cancel")
  View cancel(@PathVariable String id, Authentication authentication) {
    return View.of(approvals.cancel(id, Callers.of(authentication)));
  }

  @Operation(summary = "Approve or deny as an authenticated approver",
      description = "For tests and the demo profile only (engine.approvals.rest-decisions=true, off by default): "
          + "out-of-band channels (CIBA, passkeys) are the production path. Decisions made here carry no channel "
          + "evidence and are audited as evidence channel 'rest-demo'.")
  @PostMapping("/{id}/decision")
  View decide(@PathVariable String id, @RequestBody DecisionRequest body, Authentication authentication) {
    if (!restDecisions) {
      throw new GatewayException(ErrorCode.DENIED,
          "Deciding over the REST API is turned off (engine.approvals.rest-decisions=false, the default): "
              + "approve or deny on the approver device (/approvals) or through the configured CIBA provider.",
          Map.of("reason", "rest_decisions_disabled"));
    }
    Verdict verdict = switch (body.verdict() == null ? "" : body.verdict()) {
      case "approve" -> Verdict.APPROVE;
      case "deny" -> Verdict.DENY;
      default -> throw new GatewayException(ErrorCode.INVALID_ARGUMENTS, "verdict must be 'approve' or 'deny'.");
    };
    Fingerprint fingerprint;
    try {
      fingerprint = new Fingerprint(body.fingerprint() == null ? "" : body.fingerprint());
    } catch (IllegalArgumentException e) {
      throw new GatewayException(ErrorCode.INVALID_ARGUMENTS,
          "fingerprint must be the 64-hex-digit fingerprint of the action you were shown.");
    }
    String reason = body.reason() == null ? "" : body.reason().strip();
    if (reason.length() > 500) {
      throw new GatewayException(ErrorCode.INVALID_ARGUMENTS, "A reason has at most 500 characters.");
    }
    if (reason.indexOf('\0') >= 0) { // PostgreSQL stores no NUL in text: the vote's audit record would fail
      throw new GatewayException(ErrorCode.INVALID_ARGUMENTS, "A reason must not contain a NUL character.");
    }
    return View.of(approvals.decide(id, Callers.of(authentication), fingerprint, verdict, reason,
        Evidence.unverified(REST_DEMO)));
  }

  private Duration parseWait(@Nullable String wait) {
    if (wait == null || wait.isBlank()) {
      return Duration.ZERO;
    }
    Duration asked;
    try {
      asked = wait.chars().allMatch(Character::isDigit) ? Duration.ofSeconds(Long.parseLong(wait)) : Duration.parse(wait);
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new GatewayException(ErrorCode.INVALID_ARGUMENTS, "wait is a number of seconds or an ISO-8601 duration.");
    }
    if (asked.isNegative()) {
      throw new GatewayException(ErrorCode.INVALID_ARGUMENTS, "wait must not be negative.");
    }
    return asked.compareTo(maxWait) > 0 ? maxWait : asked;
  }
}
