package dev.authoraization.web.chat;

import dev.authoraization.agent.AgentProperties;
import dev.authoraization.agent.AgentService;
import dev.authoraization.agent.Conversation;
import dev.authoraization.agent.Conversation.StoredMessage;
import dev.authoraization.agent.Conversation.ToolCallReport;
import dev.authoraization.agent.RunListener;
import dev.authoraization.approval.Approvals;
import dev.authoraization.call.Caller;
import dev.authoraization.call.GatewayException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.thymeleaf.ITemplateEngine;
import org.thymeleaf.context.Context;

/**
 * Runs one chat turn and streams it to the page as server-sent events: the answer as the model
 * writes it (piece by piece into a reply bubble), the tool call cards and tables as the calls
 * run, and, when a call waits for a human, the approval card; then it keeps the stream open
 * until the approval's outcome resumes the run (woken by the approval's event, not by polling
 * the browser) and streams the rest. A turn is submitted by a POST and streamed once, to its
 * owner; event {@code done} tells the page to close the stream. Every event is a {@code step}
 * appended to the turn; a later piece of a reply reaches its bubble out of band.
 */
@Component
class ChatTurns implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ChatTurns.class);
  private static final Duration LONGEST_WAIT = Duration.ofHours(24);

  private final AgentService agent;
  private final Approvals approvals;
  private final AgentProperties properties;
  private final ITemplateEngine templates;
  private final SubmittedTurns submitted;
  private final ExecutorService runs = Executors.newVirtualThreadPerTaskExecutor();

  ChatTurns(AgentService agent, Approvals approvals, AgentProperties properties, ITemplateEngine templates,
      SubmittedTurns submitted) {
    this.agent = agent;
    this.approvals = approvals;
    this.properties = properties;
    this.templates = templates;
    this.submitted = submitted;
  }

  /** A message to answer, run by the node its stream reaches. */
  String submit(String conversationId, Caller caller, String text) {
    return submitted.put(conversationId, caller, Optional.of(text));
  }

  /** A paused run to follow until its approval's outcome resumes it. */
  String follow(String conversationId, Caller caller) {
    return submitted.put(conversationId, caller, Optional.empty());
  }

  /** The turn's events; a turn that is unknown, taken already or someone else's ends at once. */
  SseEmitter stream(String turnId, Caller caller) {
    return stream(turnId, caller, new SseEmitter(LONGEST_WAIT.toMillis()));
  }

  SseEmitter stream(String turnId, Caller caller, SseEmitter emitter) {
    AtomicBoolean gone = new AtomicBoolean();
    emitter.onCompletion(() -> gone.set(true));
    emitter.onTimeout(() -> gone.set(true));
    emitter.onError(e -> gone.set(true));
    // someone else's turn id stays untouched: only its owner can take (and so run) it, once
    Optional<SubmittedTurns.Submitted> taken = submitted.take(turnId, caller);
    if (taken.isEmpty()) {
      runs.execute(() -> {
        send(emitter, "step", render("notice", Map.of("notice",
            "This answer was already delivered or has expired. Reload the page to see the conversation.")));
        finish(emitter);
      });
      return emitter;
    }
    runs.execute(() -> run(taken.get(), caller, emitter, gone));
    return emitter;
  }

  private void run(SubmittedTurns.Submitted turn, Caller caller, SseEmitter emitter, AtomicBoolean gone) {
    Live live = new Live(emitter);
    try (AgentService.Listening listening = agent.listen(turn.conversationId(), caller, live)) {
      Conversation before = agent.get(turn.conversationId(), caller);
      Conversation now = before;
      if (turn.message().isPresent()) {
        now = agent.send(turn.conversationId(), caller, turn.message().get()).conversation();
        send(emitter, "step", live.step(before, now));
      }
      while (now.status() == Conversation.Status.WAITING_FOR_APPROVAL && !gone.get()) {
        Conversation waiting = now;
        now = agent.read(turn.conversationId(), caller, properties.maxWait());
        if (now.status() != Conversation.Status.WAITING_FOR_APPROVAL
            || !now.approvalId().equals(waiting.approvalId())) {
          send(emitter, "step", live.step(waiting, now));
        }
      }
    } catch (GatewayException e) {
      send(emitter, "step", render("notice", Map.of("notice", e.getMessage())));
      send(emitter, "step", render("composer", Map.of("state", "ready")));
    } catch (RuntimeException e) {
      log.error("Chat turn of conversation {} failed", turn.conversationId(), e);
      send(emitter, "step", render("notice", Map.of("notice", "Something failed while answering; the error is logged.")));
      send(emitter, "step", render("composer", Map.of("state", "ready")));
    }
    finish(emitter);
  }

  /**
   * One turn's page as the run goes: the reply bubble being written, and what was shown already,
   * so the step that ends a run adds only the rest.
   */
  final class Live implements RunListener {

    private final SseEmitter emitter;
    private @Nullable String bubble;
    private final StringBuilder written = new StringBuilder();
    private int cardsShown;
    private int tablesShown;

    Live(SseEmitter emitter) {
      this.emitter = emitter;
    }

    /** The first piece opens a reply bubble; later ones go into it (escaped: they are model text). */
    @Override
    public synchronized void text(String delta) {
      if (bubble == null) {
        bubble = "reply-" + UUID.randomUUID();
        send(emitter, "step", render("bubble", Map.of("id", bubble, "delta", delta)));
      } else {
        send(emitter, "step", render("delta", Map.of("id", bubble, "delta", delta)));
      }
      written.append(delta);
    }

    /** The calls' cards and tables as soon as they ran; the model's next words go into a new bubble. */
    @Override
    public synchronized void toolsRan(List<ToolCallReport> reports, StoredMessage results) {
      List<ChatViews.Table> tables = ChatViews.tables(List.of(results), 0);
      send(emitter, "step", renderStep(ChatViews.cards(reports), tables, "", List.of(), null, "busy"));
      cardsShown += reports.size();
      tablesShown += tables.size();
      bubble = null;
      written.setLength(0);
    }

    /**
     * What changed from {@code before} to {@code after} and was not shown live: tool call cards
     * and tables, the reply unless it streamed into the bubble already (the engine's own words,
     * such as "waits for approval", did not), the approval card (open while waiting, final once
     * decided) and the composer's state. The next run starts afresh.
     */
    synchronized String step(Conversation before, Conversation after) {
      String reply = after.reply().equals(written.toString()) ? "" : after.reply();
      String html = ChatTurns.this.step(before, after, reply, cardsShown, tablesShown);
      bubble = null;
      written.setLength(0);
      cardsShown = 0;
      tablesShown = 0;
      return html;
    }
  }

  private String step(Conversation before, Conversation after, String reply, int cardsShown, int tablesShown) {
    List<ChatViews.Card> cards = ChatViews.cards(after.toolCalls().subList(
        Math.min(before.toolCalls().size() + cardsShown, after.toolCalls().size()), after.toolCalls().size()));
    List<ChatViews.Table> tables = ChatViews.tables(after.messages(), before.messages().size());
    tables = tables.subList(Math.min(tablesShown, tables.size()), tables.size());
    List<ChatViews.ApprovalCard> decided = new ArrayList<>();
    before.approvalId().filter(id -> !after.approvalId().equals(before.approvalId()))
        .ifPresent(id -> decided.add(ChatViews.ApprovalCard.of(approvals.get(id))));
    Optional<ChatViews.ApprovalCard> waiting = after.status() == Conversation.Status.WAITING_FOR_APPROVAL
        ? after.approvalId().map(id -> ChatViews.ApprovalCard.of(approvals.get(id))) : Optional.empty();
    return renderStep(cards, tables, reply, decided, waiting.orElse(null), waiting.isPresent() ? "locked" : "ready");
  }

  /** One {@code step} event: new cards and tables, the reply, decided and open approval cards, the composer's state. */
  private String renderStep(List<ChatViews.Card> cards, List<ChatViews.Table> tables, String reply,
      List<ChatViews.ApprovalCard> decided, ChatViews.@Nullable ApprovalCard approval, String state) {
    Map<String, Object> model = new HashMap<>();
    model.put("cards", cards);
    model.put("tables", tables);
    model.put("reply", reply);
    model.put("decided", decided);
    model.put("approval", approval);
    model.put("state", state);
    return render("step", model);
  }

  String render(String fragment, Map<String, ?> model) {
    return templates.process("chat/fragments", Set.of(fragment), new Context(Locale.ENGLISH, new HashMap<String, Object>(model)));
  }

  private static void send(SseEmitter emitter, String event, String html) {
    try {
      emitter.send(SseEmitter.event().name(event).data(html));
    } catch (IOException | IllegalStateException e) {
      log.debug("The chat page went away: {}", e.toString());
    }
  }

  private static void finish(SseEmitter emitter) {
    send(emitter, "done", "");
    emitter.complete();
  }

  @Override
  public void close() {
    runs.shutdownNow();
  }
}
