package dev.authoraization.web;

import dev.authoraization.call.CallOutcome;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.call.ToolCall;
import dev.authoraization.call.ToolCallGateway;
import dev.authoraization.tool.ToolCatalog;
import dev.authoraization.tool.ToolDescriptor;
import io.swagger.v3.oas.annotations.Operation;
import java.net.URI;
import java.time.Instant;
import java.util.Collection;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/** The REST door: ask for a tool call; see the catalog. */
@RestController
@RequestMapping("/api/v1")
class ToolCallController {

  private final ToolCallGateway gateway;
  private final ToolCatalog catalog;

  ToolCallController(ToolCallGateway gateway, ToolCatalog catalog) {
    this.gateway = gateway;
    this.catalog = catalog;
  }

  /** A call as a REST client sends it. */
  record CallRequest(@Nullable String tool, @Nullable JsonNode arguments, @Nullable String idempotencyKey) {}

  /** 200: the result. */
  record Completed(String status, String decisionId, JsonNode result) {}

  /** 202: waiting for a human; follow {@code statusUrl}. */
  record Pending(String status, String decisionId, String approvalId, String fingerprint, Instant expiresAt,
      String statusUrl) {}

  @Operation(summary = "Ask the engine to run a tool",
      description = "200 with the result when policy allows it; 202 with an approval id when a human must "
          + "approve first; 403 when denied (problem details with the reason code).")
  @PostMapping("/tool-calls")
  ResponseEntity<?> call(@RequestBody CallRequest body,
      @RequestHeader(name = "Idempotency-Key", required = false) @Nullable String idempotencyHeader,
      Authentication authentication) {
    ToolCall call = toCall(body, idempotencyHeader, authentication);
    return switch (gateway.execute(call)) {
      case CallOutcome.Completed done ->
          ResponseEntity.ok(new Completed("completed", done.decisionId(), done.result().content()));
      case CallOutcome.Pending pending -> {
        String url = "/api/v1/approvals/" + pending.approvalId();
        yield ResponseEntity.accepted().location(URI.create(url)).body(new Pending("pending", pending.decisionId(),
            pending.approvalId(), pending.fingerprint().hex(), pending.expiresAt(), url));
      }
    };
  }

  @Operation(summary = "The tools the engine offers, with their JSON schemas and risk")
  @GetMapping("/tools")
  Collection<ToolDescriptor> tools() {
    return catalog.descriptors();
  }

  static ToolCall toCall(CallRequest body, @Nullable String idempotencyHeader, Authentication authentication) {
    if (body.tool() == null || body.tool().isBlank()) {
      throw new GatewayException(ErrorCode.INVALID_ARGUMENTS, "The request needs a 'tool' name.");
    }
    JsonNode arguments = body.arguments() == null ? JsonNodeFactory.instance.objectNode() : body.arguments();
    String key = idempotencyHeader != null ? idempotencyHeader
        : body.idempotencyKey() != null ? body.idempotencyKey() : UUID.randomUUID().toString();
    if (key.isBlank() || key.length() > 255) {
      throw new GatewayException(ErrorCode.INVALID_ARGUMENTS, "An idempotency key has 1 to 255 characters.");
    }
    return new ToolCall(body.tool(), arguments, Callers.of(authentication), key);
  }
}
