package dev.authoraization.web.chat;

import dev.authoraization.agent.AgentService;
import dev.authoraization.agent.Conversation;
import dev.authoraization.approval.Approvals;
import dev.authoraization.call.Caller;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.sandbox.SandboxDemo;
import jakarta.servlet.http.HttpSession;
import java.util.Map;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The chat page. One conversation per browser session (the session keeps only its id); the
 * composer posts a message with htmx, and the answer arrives over the turn's event stream
 * ({@link ChatTurns}).
 */
@Controller
class ChatController {

  static final String CONVERSATION = "engine.chat.conversation";
  private static final int MAX_TEXT = 8_000;
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final AgentService agent;
  private final Approvals approvals;
  private final ChatTurns turns;
  private final ObjectProvider<SandboxDemo> sandbox;

  ChatController(AgentService agent, Approvals approvals, ChatTurns turns, ObjectProvider<SandboxDemo> sandbox) {
    this.agent = agent;
    this.approvals = approvals;
    this.turns = turns;
    this.sandbox = sandbox;
  }

  @GetMapping("/")
  String home() {
    return "redirect:/chat";
  }

  @GetMapping("/chat")
  String chat(@AuthenticationPrincipal ChatUser user, HttpSession session, CsrfToken csrf, Model model) {
    Caller caller = user.caller();
    Conversation conversation = conversation(session, caller);
    boolean waiting = conversation.status() == Conversation.Status.WAITING_FOR_APPROVAL;
    page(user, csrf, model);
    model.addAttribute("lines", ChatViews.lines(conversation));
    model.addAttribute("history", ChatViews.cards(conversation.toolCalls()));
    model.addAttribute("approval", waiting
        ? conversation.approvalId().map(id -> ChatViews.ApprovalCard.of(approvals.get(id))).orElse(null) : null);
    model.addAttribute("follow", waiting ? turns.follow(conversation.id(), caller) : null);
    model.addAttribute("state", waiting ? "locked" : "ready");
    model.addAttribute("mode", agent.mode());
    model.addAttribute("sandbox", sandbox.getIfAvailable() != null);
    return "chat/chat";
  }

  /** The user's message, and a turn whose events stream the answer; the composer is busy meanwhile. */
  @PostMapping(path = "/chat/messages", headers = "HX-Request")
  String send(@AuthenticationPrincipal ChatUser user, HttpSession session, @RequestParam(defaultValue = "") String text,
      Model model) {
    String trimmed = text.strip();
    if (trimmed.isEmpty() || trimmed.length() > MAX_TEXT) {
      model.addAttribute("notice", "A message has 1 to " + MAX_TEXT + " characters.");
      model.addAttribute("state", "ready");
      return "chat/fragments :: rejected";
    }
    Conversation conversation = conversation(session, user.caller());
    model.addAttribute("text", trimmed);
    model.addAttribute("turn", turns.submit(conversation.id(), user.caller(), trimmed));
    model.addAttribute("state", "busy");
    return "chat/fragments :: submitted";
  }

  @GetMapping(path = "/chat/turns/{turn}", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  @ResponseBody
  SseEmitter stream(@AuthenticationPrincipal ChatUser user, @PathVariable String turn) {
    return turns.stream(turn, user.caller());
  }

  /** Withdraws the waiting call; the turn's stream then reports the cancellation and unlocks the composer. */
  @PostMapping(path = "/chat/approvals/{id}/cancel", headers = "HX-Request")
  String cancel(@AuthenticationPrincipal ChatUser user, @PathVariable String id, Model model) {
    try {
      approvals.cancel(id, user.caller());
      model.addAttribute("notice", "Cancelling…");
    } catch (GatewayException e) {
      model.addAttribute("notice", e.getMessage());
    }
    return "chat/fragments :: cancel-status";
  }

  @GetMapping("/chat/signed-out")
  String signedOut() {
    return "chat/signed-out";
  }

  @PostMapping("/chat/new")
  String fresh(@AuthenticationPrincipal ChatUser user, HttpSession session) {
    session.setAttribute(CONVERSATION, agent.start(user.caller()).id());
    return "redirect:/chat";
  }

  /** Sandbox only: a fresh mergeable pull request in demo/webapp. */
  @PostMapping(path = "/chat/demo/prime", headers = "HX-Request")
  String prime(Model model) {
    SandboxDemo demo = sandbox.getIfAvailable();
    if (demo == null) {
      throw new GatewayException(ErrorCode.NOT_FOUND, "The sandbox forge is off (engine.sandbox.enabled=false).");
    }
    int number = demo.prime();
    model.addAttribute("notice", "Pull request #" + number + " is ready in demo/webapp. Try \"merge PR " + number
        + "\".");
    return "chat/fragments :: notice";
  }

  private void page(ChatUser user, CsrfToken csrf, Model model) {
    model.addAttribute("user", user.caller().subject());
    model.addAttribute("roles", String.join(", ", user.caller().roles().stream().sorted().toList()));
    model.addAttribute("auditor", user.caller().hasAnyRole(java.util.Set.of("approver", "admin")));
    // htmx sends the CSRF token as a header with every request it makes
    model.addAttribute("hxHeaders", JSON.writeValueAsString(Map.of(csrf.getHeaderName(), csrf.getToken())));
  }

  private Conversation conversation(HttpSession session, Caller caller) {
    Object id = session.getAttribute(CONVERSATION);
    Optional<Conversation> existing = Optional.empty();
    if (id instanceof String known) {
      try {
        existing = Optional.of(agent.get(known, caller));
      } catch (GatewayException e) {
        existing = Optional.empty();
      }
    }
    return existing.orElseGet(() -> {
      Conversation created = agent.start(caller);
      session.setAttribute(CONVERSATION, created.id());
      return created;
    });
  }
}
