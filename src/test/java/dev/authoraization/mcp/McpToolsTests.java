package dev.authoraization.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.approval.Approvals;
import dev.authoraization.approval.ApprovalState;
import dev.authoraization.call.ApprovalRequirement;
import dev.authoraization.call.CallOutcome;
import dev.authoraization.call.Caller;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.Fingerprint;
import dev.authoraization.call.GatewayException;
import dev.authoraization.call.ToolCall;
import dev.authoraization.call.ToolCallGateway;
import dev.authoraization.policy.Policy;
import dev.authoraization.tool.ToolCatalog;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** How the MCP door words the outcomes of the pipeline; the wiring is covered by McpDoorIT. */
class McpToolsTests {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final Caller ALICE = Caller.of("alice", "https://issuer.test", Set.of("developer"));
  static final Fingerprint FINGERPRINT = new Fingerprint("a".repeat(64));

  final ToolCallGateway gateway = mock(ToolCallGateway.class);
  final McpSyncServerExchange exchange = mock(McpSyncServerExchange.class);
  final McpTools tools = new McpTools(gateway, new ToolCatalog(List.of()), mock(Policy.class),
      new McpProperties(null, Duration.ofSeconds(2), null, null), new InFlightCalls(mock(Approvals.class), mock(WaitingCalls.class)));

  McpToolsTests() {
    when(exchange.transportContext()).thenReturn(McpTransportContext.create(Map.of(McpTools.CALLER, ALICE)));
  }

  static ApprovalRequest approval(ApprovalState state, String reason) {
    ToolCall call = new ToolCall("merge_change", JSON.readTree("{\"repo\":\"demo/webapp\"}"), ALICE, "k");
    return new ApprovalRequest("ap-1", "d-1", call, "demo/webapp", FINGERPRINT, Map.of(), Map.of(), "merge",
        new ApprovalRequirement(Set.of("approver"), 1, Duration.ofMinutes(15), true), "rev", state,
        Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:15:00Z"), reason, Optional.empty(),
        List.of());
  }

  static JsonNode body(CallToolResult result) {
    return JSON.readTree(((TextContent) result.content().getFirst()).text());
  }

  CallToolResult statusOf(ApprovalState state, String reason) {
    when(gateway.follow(eq("ap-1"), eq(ALICE), any())).thenReturn(approval(state, reason));
    return tools.status(exchange, new CallToolRequest(McpTools.STATUS_TOOL, Map.of("approval_id", "ap-1")));
  }

  @Test
  void callWhenTheDatabaseIsUnreachableIsAToolErrorNamingTheDatabaseWithoutSql() {
    when(gateway.execute(any(ToolCall.class))).thenThrow(new CannotGetJdbcConnectionException(
        "Failed to obtain JDBC Connection", new SQLTransientConnectionException("HikariPool-1 - jdbc:postgresql://db:5432/engine")));
    CallToolResult call = tools.call(exchange, new CallToolRequest("list_issues", Map.of("repo", "demo/webapp")),
        "list_issues");
    when(gateway.follow(eq("ap-1"), eq(ALICE), any())).thenThrow(new QueryTimeoutException("select ... for update"));
    CallToolResult status = tools.status(exchange, new CallToolRequest(McpTools.STATUS_TOOL, Map.of("approval_id", "ap-1")));

    for (CallToolResult result : List.of(call, status)) {
      assertThat(result.isError()).isTrue();
      assertThat(body(result).path("code").asString()).isEqualTo("dependency_unavailable");
      assertThat(body(result).path("dependency").asString()).isEqualTo("database");
      assertThat(body(result).path("retry_after_seconds").asString()).isEqualTo("5");
      assertThat(body(result).path("message").asString()).startsWith("database unavailable: ")
          .doesNotContain("jdbc:").doesNotContain("select").doesNotContain("Hikari");
    }
  }

  @Test
  void expiredRequestIsAToolErrorWithTheExpiryCode() {
    CallToolResult result = statusOf(ApprovalState.EXPIRED, "");

    assertThat(result.isError()).isTrue();
    assertThat(body(result).path("status").asString()).isEqualTo("expired");
    assertThat(body(result).path("code").asString()).isEqualTo("approval_expired");
  }

  @Test
  void cancelledRequestIsAToolErrorWithTheCancelCode() {
    CallToolResult result = statusOf(ApprovalState.CANCELLED, "");

    assertThat(result.isError()).isTrue();
    assertThat(body(result).path("code").asString()).isEqualTo("approval_cancelled");
  }

  @Test
  void failedRequestIsAToolErrorNamingWhyItFailed() {
    CallToolResult result = statusOf(ApprovalState.FAILED, "precondition_failed");

    assertThat(result.isError()).isTrue();
    assertThat(body(result).path("status").asString()).isEqualTo("failed");
    assertThat(body(result).path("code").asString()).isEqualTo("precondition_failed");
    assertThat(body(result).path("message").asString()).contains("precondition_failed");
  }

  @Test
  void requestStillBeingExecutedIsPendingNotAnError() {
    CallToolResult result = statusOf(ApprovalState.EXECUTING, "");

    assertThat(result.isError()).isFalse();
    assertThat(body(result).path("status").asString()).isEqualTo("pending");
    assertThat(body(result).path("state").asString()).isEqualTo("EXECUTING");
    assertThat(body(result).path("fingerprint").asString()).isEqualTo(FINGERPRINT.hex());
  }

  @Test
  void waitLongerThanFiftySecondsIsRefusedBeforeAnythingIsLookedUp() {
    CallToolResult result = tools.status(exchange,
        new CallToolRequest(McpTools.STATUS_TOOL, Map.of("approval_id", "ap-1", "wait_seconds", 51)));

    assertThat(result.isError()).isTrue();
    assertThat(body(result).path("code").asString()).isEqualTo("invalid_arguments");
    verify(gateway, never()).follow(any(), any(), any());
  }

  @Test
  void statusWaitNeverExceedsTheEngineLimit() {
    List<Duration> waits = new java.util.concurrent.CopyOnWriteArrayList<>();
    when(gateway.follow(eq("ap-1"), eq(ALICE), any())).thenAnswer(call -> {
      waits.add(call.getArgument(2));
      return approval(ApprovalState.EXPIRED, "");
    });

    tools.status(exchange, new CallToolRequest(McpTools.STATUS_TOOL, Map.of("approval_id", "ap-1", "wait_seconds", 50)));

    assertThat(waits).singleElement().satisfies(wait -> assertThat(wait)
        .isPositive().isLessThanOrEqualTo(Duration.ofSeconds(2)));
  }

  @Test
  void gatewayRefusalIsAToolErrorWithItsCodeAndDetails() {
    when(gateway.execute(any())).thenThrow(new GatewayException(ErrorCode.INVALID_ARGUMENTS, "repo is required",
        Map.of("field", "repo")));

    CallToolResult result = tools.call(exchange, new CallToolRequest("read_notes", Map.of()), "read_notes");

    assertThat(result.isError()).isTrue();
    assertThat(body(result).path("code").asString()).isEqualTo("invalid_arguments");
    assertThat(body(result).path("message").asString()).isEqualTo("repo is required");
    assertThat(body(result).path("field").asString()).isEqualTo("repo");
  }

  @Test
  void unexpectedFailureIsAToolErrorThatRevealsNothing() {
    when(gateway.execute(any())).thenThrow(new IllegalStateException("jdbc:secret-host"));

    CallToolResult result = tools.call(exchange, new CallToolRequest("read_notes", Map.of()), "read_notes");

    assertThat(result.isError()).isTrue();
    assertThat(body(result).path("code").asString()).isEqualTo("internal");
    assertThat(result.toString()).doesNotContain("secret-host");
  }

  @Test
  void callWithoutAVerifiedCallerIsRefused() {
    when(exchange.transportContext()).thenReturn(McpTransportContext.EMPTY);

    CallToolResult result = tools.call(exchange, new CallToolRequest("read_notes", Map.of()), "read_notes");

    assertThat(result.isError()).isTrue();
    assertThat(body(result).path("code").asString()).isEqualTo("unauthenticated");
    verify(gateway, never()).execute(any());
  }

  @Test
  void nonObjectToolResultIsWrappedInStructuredContent() {
    when(gateway.execute(any())).thenReturn(new CallOutcome.Completed("d-1",
        new dev.authoraization.call.ToolResult(JSON.readTree("[1,2]"))));

    CallToolResult result = tools.call(exchange, new CallToolRequest("read_notes", Map.of()), "read_notes");

    assertThat(result.isError()).isFalse();
    assertThat(((TextContent) result.content().getFirst()).text()).isEqualTo("[1,2]");
    assertThat(result.structuredContent()).isEqualTo(Map.of("result", List.of(1, 2)));
  }

  @Test
  void clientMayShortenButNeverLengthenTheWait() {
    Duration limit = Duration.ofSeconds(50);

    assertThat(McpTools.waitLimit(CallToolRequest.builder("x").meta(Map.of(McpTools.MAX_WAIT_META, 2)).build(), limit))
        .isEqualTo(Duration.ofSeconds(2));
    assertThat(McpTools.waitLimit(CallToolRequest.builder("x").meta(Map.of(McpTools.MAX_WAIT_META, 600)).build(), limit))
        .isEqualTo(limit);
    assertThat(McpTools.waitLimit(new CallToolRequest("x", Map.of()), limit)).isEqualTo(limit);
  }
}
