package dev.authoraization.agent;

import dev.authoraization.agent.Conversation.StoredMessage;
import dev.authoraization.agent.Conversation.ToolCallReport;
import dev.authoraization.call.Caller;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.identity.CallerAuthentication;
import io.swagger.v3.oas.annotations.Operation;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The chat agent over REST, for the chat UI: start a conversation, send messages, read it back
 * (waiting for a paused run to resume). Under {@code /api/**}, so the bearer-token chain applies;
 * a conversation is visible to its owner only.
 */
@RestController
@RequestMapping("/api/v1/agent/conversations")
class AgentController {

  private static final int MAX_TEXT = 8_000;

  private final AgentService agent;
  private final AgentProperties properties;

  AgentController(AgentService agent, AgentProperties properties) {
    this.agent = agent;
    this.properties = properties;
  }

  record MessageRequest(@Nullable String text) {}

  /** A message as the UI shows it: who said what (tool traffic stays in {@code toolCalls}). */
  record MessageView(String role, String text) {}

  record ConversationView(String id, String status, String mode, Optional<String> approvalId, String reply,
      List<MessageView> messages, List<ToolCallReport> toolCalls, Instant createdAt, Instant updatedAt) {

    static ConversationView of(Conversation c, String mode) {
      return new ConversationView(c.id(), c.status().id(), mode, c.approvalId(), c.reply(),
          c.messages().stream().filter(ConversationView::shown).map(m -> new MessageView(m.role(), m.text())).toList(),
          c.toolCalls(), c.createdAt(), c.updatedAt());
    }

    private static boolean shown(StoredMessage m) {
      return m.role().equals("user") || (m.role().equals("assistant") && !m.text().isBlank());
    }
  }

  record TurnView(String conversationId, String status, String reply, List<ToolCallReport> toolCalls,
      Optional<String> approvalId) {}

  @Operation(summary = "Start a chat with the agent")
  @PostMapping
  ResponseEntity<ConversationView> start(Authentication authentication) {
    Conversation conversation = agent.start(caller(authentication));
    return ResponseEntity.created(URI.create("/api/v1/agent/conversations/" + conversation.id()))
        .body(ConversationView.of(conversation, agent.mode()));
  }

  @Operation(summary = "Send a message; the agent's reply, the tool calls it made, and the approval id if it paused")
  @PostMapping("/{id}/messages")
  TurnView send(@PathVariable String id, @RequestBody MessageRequest body, Authentication authentication) {
    String text = body.text() == null ? "" : body.text();
    if (text.isBlank() || text.length() > MAX_TEXT) {
      throw new GatewayException(ErrorCode.INVALID_ARGUMENTS, "A message has 1 to " + MAX_TEXT + " characters.");
    }
    AgentService.Turn turn = agent.send(id, caller(authentication), text);
    return new TurnView(id, turn.conversation().status().id(), turn.reply(), turn.toolCalls(), turn.approvalId());
  }

  @Operation(summary = "The conversation and its status; wait=N waits up to N seconds for a paused run to resume")
  @GetMapping("/{id}")
  ConversationView read(@PathVariable String id, @RequestParam(defaultValue = "0") long wait,
      Authentication authentication) {
    Duration asked = Duration.ofSeconds(Math.max(0, wait));
    Duration bounded = asked.compareTo(properties.maxWait()) > 0 ? properties.maxWait() : asked;
    return ConversationView.of(agent.read(id, caller(authentication), bounded), agent.mode());
  }

  private static Caller caller(Authentication authentication) {
    if (authentication instanceof CallerAuthentication caller) {
      return caller.caller();
    }
    throw new GatewayException(ErrorCode.UNAUTHENTICATED, "A valid bearer token from a trusted issuer is required.");
  }
}
