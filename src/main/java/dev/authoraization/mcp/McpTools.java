package dev.authoraization.mcp;

import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.call.CallOutcome;
import dev.authoraization.call.Caller;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.dependency.DatabaseOutage;
import dev.authoraization.call.ToolCall;
import dev.authoraization.call.ToolCallGateway;
import dev.authoraization.policy.Policy;
import dev.authoraization.tool.Risk;
import dev.authoraization.tool.ToolCatalog;
import dev.authoraization.tool.ToolDescriptor;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The MCP tools: every catalog tool the caller's policy could allow, plus
 * {@value #STATUS_TOOL}. Each call goes through {@link ToolCallGateway#execute}; a call that needs
 * approval waits for it (sending progress when the client asked for it) up to the wait limit,
 * then answers "pending" with the approval id to resume with. Refusals are tool results with
 * {@code isError: true}, not protocol errors, so the model sees the reason
 * (<a href="https://modelcontextprotocol.io/specification/2025-11-25/server/tools#error-handling">MCP
 * tools, error handling</a>).
 */
@Component
public class McpTools {

  /** The one tool of the MCP door itself: resume a call that was left waiting for approval. */
  public static final String STATUS_TOOL = "get_approval_status";
  /** Key of the transport context entry holding the verified {@link Caller}. */
  public static final String CALLER = "dev.authoraization/caller";
  /**
   * A request {@code _meta} entry by which a client may shorten (never lengthen) the approval wait
   * of one call, in seconds; the engine's limit is {@code engine.mcp.max-wait}.
   */
  public static final String MAX_WAIT_META = "dev.authoraization/max-wait-seconds";

  static final int STATUS_MAX_WAIT_SECONDS = 50;

  private static final Logger log = LoggerFactory.getLogger(McpTools.class);
  // MCP field names are camelCase; the Spring mapper of the REST door writes snake_case.
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final ToolCallGateway gateway;
  private final ToolCatalog catalog;
  private final Policy policy;
  private final McpProperties properties;
  private final InFlightCalls inFlight;
  private volatile Duration progressInterval;

  McpTools(ToolCallGateway gateway, ToolCatalog catalog, Policy policy, McpProperties properties,
      InFlightCalls inFlight) {
    this.gateway = gateway;
    this.catalog = catalog;
    this.policy = policy;
    this.properties = properties;
    this.inFlight = inFlight;
    this.progressInterval = properties.progressInterval();
  }

  /** For tests: progress every 15 s is too slow to watch. */
  void progressInterval(Duration interval) {
    this.progressInterval = interval;
  }

  /** One specification per catalog tool, then {@value #STATUS_TOOL}; {@link #visible} filters them per caller. */
  public List<SyncToolSpecification> specifications() {
    List<SyncToolSpecification> specifications = new ArrayList<>();
    for (ToolDescriptor descriptor : catalog.descriptors()) {
      McpSchema.Tool tool = McpSchema.Tool.builder()
          .name(descriptor.name())
          .description(descriptor.description() + describeRisk(descriptor.risk()))
          .inputSchema(toMap(descriptor.inputSchema()))
          .annotations(new McpSchema.ToolAnnotations(null, descriptor.risk() == Risk.READ,
              descriptor.risk() == Risk.DESTRUCTIVE, false, true, null))
          .build();
      specifications.add(SyncToolSpecification.builder().tool(tool)
          .callHandler((exchange, request) -> call(exchange, request, descriptor.name())).build());
    }
    McpSchema.Tool status = McpSchema.Tool.builder()
        .name(STATUS_TOOL)
        .description("Status and result of a tool call of yours that waits for a human approval. Give the "
            + "approval_id a pending call returned; wait_seconds (0 to " + STATUS_MAX_WAIT_SECONDS + ", default 0) "
            + "waits that long for the decision and returns the result as soon as it is approved.")
        .inputSchema(toMap(JSON.readTree("""
            {"type":"object","properties":{
              "approval_id":{"type":"string","description":"the approval id of a pending call"},
              "wait_seconds":{"type":"integer","minimum":0,"maximum":%d,
                "description":"how long to wait for a final state"}},
             "required":["approval_id"],"additionalProperties":false}
            """.formatted(STATUS_MAX_WAIT_SECONDS))))
        .annotations(new McpSchema.ToolAnnotations(null, true, false, true, false, null))
        .build();
    specifications.add(SyncToolSpecification.builder().tool(status).callHandler(this::status).build());
    return specifications;
  }

  /** Lists a tool to the caller only when their policy could allow some call of it. */
  public boolean visible(McpTransportContext context, McpSchema.Tool tool) {
    Optional<Caller> caller = caller(context);
    if (caller.isEmpty()) {
      return false;
    }
    if (tool.name().equals(STATUS_TOOL)) {
      return true;
    }
    return catalog.find(tool.name()).map(entry -> policy.offers(caller.get(), entry.descriptor())).orElse(false);
  }

  /** A catalog tool's call; while it waits for approval, its client's cancellation withdraws the request. */
  CallToolResult call(McpSyncServerExchange exchange, CallToolRequest request, String tool) {
    try {
      Caller caller = requireCaller(exchange);
      JsonNode arguments = request.arguments() == null ? JSON.createObjectNode() : JSON.valueToTree(request.arguments());
      // MCP has no idempotency key; every tools/call is a new request.
      ToolCall call = new ToolCall(tool, arguments, caller, UUID.randomUUID().toString());
      try (InFlightCalls.Call inFlightCall = inFlight.open(callKey(exchange.transportContext()), caller)) {
        return switch (gateway.execute(call)) {
          case CallOutcome.Completed done -> completed(done.result().content());
          case CallOutcome.Pending pending -> {
            inFlightCall.waitsFor(pending.approvalId());
            yield awaitDecision(exchange, request, caller, pending.approvalId(),
                waitLimit(request, properties.maxWait()));
          }
        };
      }
    } catch (GatewayException e) {
      return refused(e);
    } catch (RuntimeException e) {
      return failed(e, "MCP call of " + tool);
    }
  }

  CallToolResult status(McpSyncServerExchange exchange, CallToolRequest request) {
    try {
      Caller caller = requireCaller(exchange);
      Map<String, Object> arguments = request.arguments() == null ? Map.of() : request.arguments();
      if (!(arguments.get("approval_id") instanceof String id) || id.isBlank()) {
        throw new GatewayException(ErrorCode.INVALID_ARGUMENTS, "approval_id is required.");
      }
      long seconds = arguments.get("wait_seconds") instanceof Number n ? n.longValue() : 0;
      if (seconds < 0 || seconds > STATUS_MAX_WAIT_SECONDS) {
        throw new GatewayException(ErrorCode.INVALID_ARGUMENTS,
            "wait_seconds must be between 0 and " + STATUS_MAX_WAIT_SECONDS + ".");
      }
      Duration wait = waitLimit(request, min(Duration.ofSeconds(seconds), properties.maxWait()));
      return awaitDecision(exchange, request, caller, id, wait);
    } catch (GatewayException e) {
      return refused(e);
    } catch (RuntimeException e) {
      return failed(e, "MCP " + STATUS_TOOL);
    }
  }

  /**
   * Waits for the request's final state, woken by the decision itself ({@code follow}), in slices
   * of the progress interval so that a client that sent a progress token hears from us in time.
   */
  private CallToolResult awaitDecision(McpSyncServerExchange exchange, CallToolRequest request, Caller caller,
      String approvalId, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    Object progressToken = request.progressToken();
    int progress = 0;
    while (true) {
      Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
      Duration slice = progressToken == null ? left : min(left, progressInterval);
      ApprovalRequest approval = gateway.follow(approvalId, caller, slice);
      if (approval.state().isFinal()) {
        return finished(approval);
      }
      if (deadline - System.nanoTime() <= 0) {
        return pending(approval);
      }
      if (progressToken != null) {
        progress++;
        exchange.progressNotification(new McpSchema.ProgressNotification(progressToken, (double) progress, null,
            "Waiting for a human to approve (approval " + approvalId + ", state " + approval.state() + ")."));
      }
    }
  }

  private static CallToolResult finished(ApprovalRequest approval) {
    return switch (approval.state()) {
      case EXECUTED -> completed(approval.result().orElseGet(JSON::nullNode));
      case DENIED -> refused("denied", ErrorCode.APPROVAL_DENIED, "An approver denied this call; it was not executed.",
          approval);
      case EXPIRED -> refused("expired", ErrorCode.APPROVAL_EXPIRED,
          "No approver decided in time; the request expired and nothing was executed.", approval);
      case CANCELLED -> refused("cancelled", ErrorCode.APPROVAL_CANCELLED,
          "The request was cancelled; nothing was executed.", approval);
      case FAILED -> refused("failed", null, "The call was approved but failed.", approval);
      case PENDING, APPROVED, EXECUTING -> pending(approval);
    };
  }

  private static CallToolResult completed(JsonNode result) {
    ObjectNode structured;
    if (result.isObject()) {
      structured = (ObjectNode) result;
    } else {
      structured = JSON.createObjectNode();
      structured.set("result", result);
    }
    return CallToolResult.builder().addTextContent(JSON.writeValueAsString(result))
        .structuredContent(toMap(structured)).isError(false).build();
  }

  /** Not an error: the call is parked, and the agent can resume it with {@value #STATUS_TOOL}. */
  private static CallToolResult pending(ApprovalRequest approval) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "pending");
    body.put("state", approval.state().name());
    body.put("approval_id", approval.id());
    body.put("tool", approval.call().tool());
    body.put("fingerprint", approval.fingerprint().hex());
    body.put("expires_at", approval.expiresAt().toString());
    body.put("hint", "A human must approve this call before it runs. Call " + STATUS_TOOL
        + " with approval_id \"" + approval.id() + "\" (and wait_seconds up to " + STATUS_MAX_WAIT_SECONDS
        + ") to wait for the decision and get the result; do not call the tool again.");
    return structured(body, false);
  }

  private static CallToolResult refused(String status, @Nullable ErrorCode code, String message,
      ApprovalRequest approval) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", status);
    String reason = approval.reason();
    body.put("code", code != null ? code.id() : reason.isBlank() ? ErrorCode.PROVIDER_FAILED.id() : reason);
    body.put("message", message + (reason.isBlank() ? "" : " Reason: " + reason + "."));
    body.put("approval_id", approval.id());
    if (!reason.isBlank()) {
      body.put("reason", reason);
    }
    return structured(body, true);
  }

  private static CallToolResult refused(GatewayException e) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", e.code() == ErrorCode.DENIED || e.code() == ErrorCode.UNKNOWN_TOOL ? "denied" : "error");
    body.put("code", e.code().id());
    body.put("message", e.getMessage());
    e.details().forEach(body::putIfAbsent);
    return structured(body, true);
  }

  /** A database outage named as such (the caller may retry); anything else is an internal error, logged. */
  private static CallToolResult failed(RuntimeException e, String what) {
    return DatabaseOutage.of(e).map(outage -> {
      log.warn("{}: the database is unavailable ({})", what, e.getClass().getSimpleName());
      return refused(outage);
    }).orElseGet(() -> {
      log.error("{} failed unexpectedly", what, e);
      return internalError();
    });
  }

  private static CallToolResult internalError() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "error");
    body.put("code", "internal");
    body.put("message", "The engine failed unexpectedly; nothing was executed on your behalf. The error is logged.");
    return structured(body, true);
  }

  private static CallToolResult structured(Map<String, Object> body, boolean error) {
    return CallToolResult.builder().addTextContent(JSON.writeValueAsString(body)).structuredContent(body)
        .isError(error).build();
  }

  private static Caller requireCaller(McpSyncServerExchange exchange) {
    return caller(exchange.transportContext()).orElseThrow(() -> new GatewayException(ErrorCode.UNAUTHENTICATED,
        "A valid bearer token from a trusted issuer is required."));
  }

  private static Optional<Caller> caller(@Nullable McpTransportContext context) {
    return context != null && context.get(CALLER) instanceof Caller caller ? Optional.of(caller) : Optional.empty();
  }

  private static InFlightCalls.@Nullable Key callKey(@Nullable McpTransportContext context) {
    return context != null && context.get(InFlightCalls.KEY) instanceof InFlightCalls.Key key ? key : null;
  }

  /** The client may ask for a shorter wait in {@code _meta}, never a longer one. */
  static Duration waitLimit(CallToolRequest request, Duration engineLimit) {
    if (request.meta() != null && request.meta().get(MAX_WAIT_META) instanceof Number seconds) {
      double asked = Math.max(0, seconds.doubleValue());
      return min(Duration.ofMillis((long) (asked * 1000)), engineLimit);
    }
    return engineLimit;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static String describeRisk(Risk risk) {
    return switch (risk) {
      case READ -> "";
      case WRITE -> " (changes data; policy may require a human approval)";
      case DESTRUCTIVE -> " (cannot simply be undone; policy may require a human approval, the call then waits "
          + "for it or returns an approval_id to resume with " + STATUS_TOOL + ")";
    };
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> toMap(JsonNode node) {
    return JSON.convertValue(node, Map.class);
  }
}
