package dev.authoraization.agent;

import dev.authoraization.agent.Conversation.Pending;
import dev.authoraization.agent.Conversation.Status;
import dev.authoraization.agent.Conversation.StoredMessage;
import dev.authoraization.agent.Conversation.StoredResponse;
import dev.authoraization.agent.Conversation.StoredToolCall;
import dev.authoraization.agent.Conversation.ToolCallReport;
import dev.authoraization.approval.ApprovalChanged;
import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.approval.ApprovalState;
import dev.authoraization.call.CallOutcome;
import dev.authoraization.call.Caller;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.call.ToolCall;
import dev.authoraization.call.ToolCallGateway;
import dev.authoraization.policy.Policy;
import dev.authoraization.tool.ToolCatalog;
import dev.authoraization.tool.ToolDescriptor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.MessageAggregator;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.DefaultToolDefinition;
import org.springframework.ai.tool.definition.ToolDefinition;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The chat agent's loop, run by the engine itself (user-controlled tool execution): the model
 * proposes tool calls, and every one of them goes through {@link ToolCallGateway#execute}, so
 * policy, approvals, credentials and the audit log apply exactly as for any other door. Spring AI
 * 2.0's {@code ChatModel.stream} never runs tools itself (the loop moved to {@code ChatClient}'s
 * {@code ToolCallingAdvisor}, which is not used here), so the model only ever sees tool
 * definitions; the callbacks it is given refuse to run.
 *
 * <p>The model's answer is streamed: its text reaches the conversation's {@link RunListener}s
 * piece by piece, while the run itself works on the whole message ({@link MessageAggregator};
 * Spring AI's OpenAI client already joins a tool call's argument fragments into one call).
 *
 * <p>A call that needs approval pauses the run durably ({@link ConversationStore}); the outcome
 * (event, start-up, or a read) resumes it once.
 */
@Service
public class AgentService implements AutoCloseable {

  static final String SYSTEM_PROMPT = "You are the AuthorAIzation Engine's assistant. You act for the signed-in "
      + "user through the tools offered to you. Every tool call is checked by the engine's policy; some wait for a "
      + "human approval, some are refused. Call only the tools the user asked for, with the arguments the user "
      + "gave. When a call is refused or not approved, tell the user plainly what happened and why. "
      + ToolEnvelope.SYSTEM_RULE;

  /** How the engine's own chat agent appears as {@code caller.agent} in policy input and audit records. */
  public static final String AGENT_ID = "engine-chat-agent";

  private static final Logger log = LoggerFactory.getLogger(AgentService.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final ToolCallGateway gateway;
  private final ToolCatalog catalog;
  private final Policy policy;
  private final ConversationStore store;
  private final AgentModel model;
  private final AgentProperties properties;
  private final Object changes = new Object();
  private final Map<String, List<RunListener>> listeners = new ConcurrentHashMap<>();
  private final ExecutorService resumptions = Executors.newVirtualThreadPerTaskExecutor();

  @Autowired
  public AgentService(ToolCallGateway gateway, ToolCatalog catalog, Policy policy, ConversationStore store,
      ObjectProvider<AgentModel> model, AgentProperties properties) {
    this(gateway, catalog, policy, store, model.getIfAvailable(AgentModel::offline), properties);
  }

  public AgentService(ToolCallGateway gateway, ToolCatalog catalog, Policy policy, ConversationStore store,
      AgentModel model, AgentProperties properties) {
    this.gateway = gateway;
    this.catalog = catalog;
    this.policy = policy;
    this.store = store;
    this.model = model;
    this.properties = properties;
    log.info("Chat agent model: {}", model.mode());
  }

  /** What one message (or one resumption) produced. */
  public record Turn(Conversation conversation, String reply, List<ToolCallReport> toolCalls,
      Optional<String> approvalId) {}

  public String mode() {
    return model.mode();
  }

  public Conversation start(Caller owner) {
    return store.create(UUID.randomUUID().toString(), owner);
  }

  /** A listener's registration; closing it stops the events. */
  public record Listening(Runnable cancel) implements AutoCloseable {
    @Override
    public void close() {
      cancel.run();
    }
  }

  /**
   * Hears every run of this conversation (a message or a resumption, on any thread of this node)
   * until closed. To the conversation's owner only.
   */
  public Listening listen(String id, Caller caller, RunListener listener) {
    get(id, caller);
    listeners.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(listener);
    return new Listening(() -> listeners.computeIfPresent(id, (k, list) -> {
      list.remove(listener);
      return list.isEmpty() ? null : list;
    }));
  }

  /** The conversation, to its owner only; to anyone else it does not exist. */
  public Conversation get(String id, Caller caller) {
    Conversation conversation = store.find(id).orElseThrow(() -> notFound(id));
    if (!conversation.owner().principal().equals(caller.principal())) {
      throw notFound(id);
    }
    return conversation;
  }

  /**
   * Answers one user message. While the conversation waits for an approval (or another run is in
   * progress) nothing runs, and the answer says so.
   */
  public Turn send(String id, Caller caller, String text) {
    Conversation conversation = get(id, caller);
    if (text.isBlank()) {
      throw new GatewayException(ErrorCode.INVALID_ARGUMENTS, "A message needs some text.");
    }
    if (conversation.status() == Status.WAITING_FOR_APPROVAL) {
      read(id, caller, Duration.ZERO); // the approval may be decided already: resume first
    }
    if (!store.claimForMessage(id, caller)) {
      Conversation now = get(id, caller);
      String why = now.status() == Status.WAITING_FOR_APPROVAL
          ? "I am still waiting for approval " + now.approvalId().orElse("") + " of my last tool call; "
              + "I will continue once it is decided. Ask again after that."
          : "I am still working on your previous message; ask again when it is answered.";
      return new Turn(now, why, List.of(), now.approvalId());
    }
    Conversation claimed = store.find(id).orElseThrow(); // as it is now that this run owns it
    List<StoredMessage> messages = new ArrayList<>(claimed.messages());
    messages.add(StoredMessage.user(text));
    return loop(id, caller, messages, new ArrayList<>(claimed.toolCalls()));
  }

  /**
   * The conversation; when it waits for an approval, first waits up to {@code wait} for the
   * approval's outcome and resumes the run with it (if no one else already does).
   */
  public Conversation read(String id, Caller caller, Duration wait) {
    Instant deadline = Instant.now().plus(wait);
    Conversation conversation = get(id, caller);
    if (conversation.status() == Status.WAITING_FOR_APPROVAL && conversation.pending().isPresent()) {
      resume(conversation, remaining(deadline));
    }
    return awaitNotRunning(id, caller, deadline);
  }

  /** An approval reached a final state: resume whoever waits for it, off the publisher's thread. */
  @EventListener
  public void onApprovalChanged(ApprovalChanged changed) {
    if (!changed.state().isFinal()) {
      return;
    }
    for (String id : store.waitingFor(changed.id())) {
      resumptions.execute(() -> resumeIfStillWaiting(id));
    }
  }

  /** After a restart: hand back interrupted runs, and resume those whose approval was decided meanwhile. */
  @EventListener(ApplicationReadyEvent.class)
  public void recover() {
    int released = store.releaseInterrupted();
    if (released > 0) {
      log.warn("Released {} agent run(s) interrupted by a restart", released);
    }
    for (String id : store.waiting()) {
      resumptions.execute(() -> resumeIfStillWaiting(id));
    }
  }

  @Override
  public void close() {
    resumptions.close();
  }

  /** A reader may have resumed the run already (its pending call is gone then): nothing to do. */
  private void resumeIfStillWaiting(String id) {
    store.find(id).filter(c -> c.pending().isPresent()).ifPresent(c -> resume(c, Duration.ZERO));
  }

  private void resume(Conversation conversation, Duration wait) {
    Pending pending = conversation.pending().orElseThrow();
    ApprovalRequest request;
    try {
      request = gateway.follow(pending.approvalId(), conversation.owner(), wait);
    } catch (GatewayException e) {
      log.warn("Approval {} of conversation {} cannot be followed: {}", pending.approvalId(), conversation.id(),
          e.code().id());
      return;
    }
    if (!request.state().isFinal() || !store.claimForResume(conversation.id(), pending.approvalId())) {
      return;
    }
    // every tool call of that model turn gets its answer, so the history stays valid for any model
    List<StoredResponse> responses = new ArrayList<>(pending.responses());
    responses.set(pending.index(), new StoredResponse(pending.toolCallId(), pending.tool(), outcome(request)));
    List<StoredMessage> messages = new ArrayList<>(conversation.messages());
    messages.add(StoredMessage.tool(responses));
    List<ToolCallReport> reports = new ArrayList<>(conversation.toolCalls());
    reports.add(new ToolCallReport(pending.tool(), request.call().arguments(), request.state().name().toLowerCase(),
        ToolCallReport.NOT_TIMED, request.id(), request.decisionId()));
    live(conversation.id()).toolsRan(List.of(reports.getLast()), messages.getLast()); // shown before the answer
    try {
      loop(conversation.id(), conversation.owner(), messages, reports, true);
    } catch (RuntimeException e) { // e.g. the database went away mid-run: never leave the row running
      log.error("Resuming conversation {} failed", conversation.id(), e);
      store.finish(conversation.id(), messages, reports,
          "I could not continue after the approval was decided; the error is logged.", Optional.empty());
      notifyChanged();
    }
  }

  private Turn loop(String id, Caller caller, List<StoredMessage> messages, List<ToolCallReport> reports) {
    return loop(id, caller, messages, reports, false);
  }

  private Turn loop(String id, Caller caller, List<StoredMessage> messages, List<ToolCallReport> reports,
      boolean resumed) {
    int before = resumed ? reports.size() - 1 : reports.size();
    Run run;
    try {
      run = run(caller, messages, reports, live(id));
    } catch (RuntimeException e) {
      log.error("Agent run of conversation {} failed", id, e);
      run = new Run("I failed unexpectedly while answering; nothing more was done. The error is logged.",
          Optional.empty());
    }
    store.finish(id, messages, reports, run.reply(), run.pending());
    notifyChanged();
    Conversation after = store.find(id).orElseThrow();
    return new Turn(after, run.reply(), List.copyOf(reports.subList(before, reports.size())),
        run.pending().map(Pending::approvalId));
  }

  private record Run(String reply, Optional<Pending> pending) {}

  private Run run(Caller caller, List<StoredMessage> messages, List<ToolCallReport> reports, RunListener live) {
    List<ToolCallback> offered = offered(caller);
    for (int round = 0; round < properties.maxToolRounds(); round++) {
      AssistantMessage answer;
      try {
        answer = answer(prompt(messages, offered), live);
      } catch (RuntimeException e) {
        log.warn("The {} model failed: {}", model.mode(), e.toString());
        return new Run("The language model could not be reached or failed (" + e.getClass().getSimpleName()
            + "); nothing more was done.", Optional.empty());
      }
      if (answer == null) {
        return new Run("The language model gave no answer.", Optional.empty());
      }
      List<StoredToolCall> calls = answer.getToolCalls().stream()
          .map(c -> new StoredToolCall(c.id() == null || c.id().isBlank() ? "call_" + UUID.randomUUID() : c.id(),
              c.name() == null ? "" : c.name(), c.arguments() == null ? "" : c.arguments()))
          .toList();
      String text = answer.getText() == null ? "" : answer.getText();
      messages.add(StoredMessage.assistant(text, calls));
      if (calls.isEmpty()) {
        return new Run(text, Optional.empty());
      }
      List<StoredResponse> responses = new ArrayList<>();
      Pending pending = null;
      int firstReport = reports.size();
      for (StoredToolCall call : calls) {
        if (pending != null) {
          // one pause at a time: later calls of the same turn are not run, and the model is told
          responses.add(new StoredResponse(call.id(), call.name(), ToolEnvelope.engine(call.name(), "not_run",
              "Not run: an earlier call of this turn waits for a human approval. Ask again once it is decided.")));
          continue;
        }
        Step step = execute(call, caller, reports, askedWith(messages));
        if (step.approvalId().isPresent()) {
          responses.add(new StoredResponse(call.id(), call.name(), ""));
          pending = new Pending(step.approvalId().get(), call.id(), call.name(), responses.size() - 1, List.of());
        } else {
          responses.add(new StoredResponse(call.id(), call.name(), step.text()));
        }
      }
      if (pending != null) {
        Pending stored = new Pending(pending.approvalId(), pending.toolCallId(), pending.tool(), pending.index(),
            responses);
        return new Run("My call to " + pending.tool() + " needs a human approval (request " + pending.approvalId()
            + "). I will continue once an approver has decided.", Optional.of(stored));
      }
      messages.add(StoredMessage.tool(responses));
      live.toolsRan(List.copyOf(reports.subList(firstReport, reports.size())), messages.getLast());
    }
    return new Run("I stopped after " + properties.maxToolRounds() + " rounds of tool calls without a final answer.",
        Optional.empty());
  }

  /**
   * The model's next message, whole, while its text goes to {@code live} as it arrives. A model
   * without streaming is asked once and its text is one piece.
   */
  private @Nullable AssistantMessage answer(Prompt prompt, RunListener live) {
    Flux<ChatResponse> pieces;
    try {
      pieces = model.chatModel().stream(prompt);
    } catch (UnsupportedOperationException e) {
      AssistantMessage whole = output(model.chatModel().call(prompt));
      tell(live, whole);
      return whole;
    }
    AtomicReference<ChatResponse> whole = new AtomicReference<>();
    new MessageAggregator().aggregate(pieces.doOnNext(piece -> tell(live, output(piece))), whole::set).blockLast();
    return output(whole.get());
  }

  /** Passes a message's text, if it has any, to the listeners. */
  private static void tell(RunListener live, @Nullable AssistantMessage message) {
    if (message != null && message.getText() != null && !message.getText().isEmpty()) {
      live.text(message.getText());
    }
  }

  private static @Nullable AssistantMessage output(@Nullable ChatResponse response) {
    return response == null || response.getResult() == null ? null : response.getResult().getOutput();
  }

  /** The listeners of this conversation at each event; one that fails does not stop the run or the others. */
  private RunListener live(String id) {
    return new RunListener() {
      @Override
      public void text(String delta) {
        each(l -> l.text(delta));
      }

      @Override
      public void toolsRan(List<ToolCallReport> reports, StoredMessage results) {
        each(l -> l.toolsRan(reports, results));
      }

      private void each(Consumer<RunListener> event) {
        for (RunListener listener : listeners.getOrDefault(id, List.of())) {
          try {
            event.accept(listener);
          } catch (RuntimeException e) {
            log.debug("A listener of conversation {} failed: {}", id, e.toString());
          }
        }
      }
    };
  }

  private record Step(String text, Optional<String> approvalId) {}

  /** The user's last line: what led to the calls of this round (kept with an approval request). */
  private static String askedWith(List<StoredMessage> messages) {
    return messages.reversed().stream().filter(m -> m.role().equals("user")).findFirst()
        .map(StoredMessage::text).orElse("");
  }

  /** One tool call the model asked for, through the gateway and nowhere else. */
  private Step execute(StoredToolCall call, Caller caller, List<ToolCallReport> reports, String askedWith) {
    long start = System.nanoTime();
    JsonNode arguments = JSON.createObjectNode();
    try {
      arguments = call.arguments().isBlank() ? JSON.createObjectNode() : JSON.readTree(call.arguments());
      CallOutcome outcome = gateway.execute(new ToolCall(call.name(), arguments, viaAgent(caller),
          UUID.randomUUID().toString()), askedWith);
      return switch (outcome) {
        case CallOutcome.Completed done -> {
          reports.add(report(call, arguments, "allowed", start, "", done.decisionId()));
          yield new Step(ToolEnvelope.data(call.name(), done.result().content().toString(), properties.resultLimit()),
              Optional.empty());
        }
        case CallOutcome.Pending pending -> {
          reports.add(report(call, arguments, "pending", start, pending.approvalId(), pending.decisionId()));
          yield new Step("", Optional.of(pending.approvalId()));
        }
      };
    } catch (JacksonException e) {
      reports.add(report(call, arguments, ErrorCode.INVALID_ARGUMENTS.id(), start, "", ""));
      return new Step(ToolEnvelope.engine(call.name(), ErrorCode.INVALID_ARGUMENTS.id(),
          "The arguments are not valid JSON; nothing was run."), Optional.empty());
    } catch (GatewayException e) {
      reports.add(report(call, arguments, e.code().id(), start, "", ""));
      return new Step(ToolEnvelope.engine(call.name(), e.code().id(), e.getMessage()), Optional.empty());
    } catch (RuntimeException e) {
      log.warn("Tool call {} of the agent failed", call.name(), e);
      reports.add(report(call, arguments, "failed", start, "", ""));
      return new Step(ToolEnvelope.engine(call.name(), "failed", "The call failed unexpectedly; nothing was run."),
          Optional.empty());
    }
  }

  /** What the model is told about a call that waited for a human, once it is decided. */
  String outcome(ApprovalRequest request) {
    String tool = request.call().tool();
    return switch (request.state()) {
      case EXECUTED -> request.result()
          .map(result -> ToolEnvelope.data(tool, result.toString(), properties.resultLimit()))
          .orElse(ToolEnvelope.engine(tool, "executed", "Approved and executed; the tool returned nothing."));
      case DENIED -> ToolEnvelope.engine(tool, ErrorCode.APPROVAL_DENIED.id(), "A human approver denied this call"
          + (request.reason().isBlank() || request.reason().equals("denied_by_approver") ? "" : " (reason: "
              + request.reason() + ")") + ". Nothing was executed.");
      case EXPIRED -> ToolEnvelope.engine(tool, ErrorCode.APPROVAL_EXPIRED.id(),
          "Nobody approved this call before it expired. Nothing was executed.");
      case CANCELLED -> ToolEnvelope.engine(tool, ErrorCode.APPROVAL_CANCELLED.id(), "The approval request was cancelled"
          + (request.reason().isBlank() || request.reason().equals("cancelled_by_requester") ? "" : " ("
              + request.reason() + ")") + ". Nothing was executed.");
      case FAILED -> ToolEnvelope.engine(tool, "failed", "The call was approved but failed ("
          + request.reason() + "); nothing was changed.");
      case PENDING, APPROVED, EXECUTING -> throw new IllegalStateException("not final: " + request.state());
    };
  }

  private ToolCallReport report(StoredToolCall call, JsonNode arguments, String decision, long start,
      String approvalId, String decisionId) {
    return new ToolCallReport(call.name(), arguments, decision, Duration.ofNanos(System.nanoTime() - start).toMillis(),
        approvalId, decisionId);
  }

  /** Only tools policy could ever allow this caller, described by the catalog's JSON schemas. */
  List<ToolCallback> offered(Caller caller) {
    Caller agentCaller = viaAgent(caller);
    return catalog.descriptors().stream().filter(tool -> policy.offers(agentCaller, tool))
        .<ToolCallback>map(DefinitionOnly::new).toList();
  }

  /**
   * The user, acting through this agent: the audit log and policy see {@code agent = AGENT_ID}
   * unless the user's own token already names an agent. Same principal, so the user still owns
   * (and may follow or cancel) the approval requests.
   */
  static Caller viaAgent(Caller caller) {
    return caller.agent().isPresent() ? caller
        : new Caller(caller.subject(), caller.issuer(), caller.roles(), Optional.of(AGENT_ID));
  }

  private Prompt prompt(List<StoredMessage> messages, List<ToolCallback> offered) {
    List<Message> prompt = new ArrayList<>();
    prompt.add(new SystemMessage(SYSTEM_PROMPT));
    for (StoredMessage message : messages) {
      switch (message.role()) {
        case "user" -> prompt.add(new UserMessage(message.text()));
        case "assistant" -> prompt.add(AssistantMessage.builder().content(message.text())
            .toolCalls(message.toolCalls().stream()
                .map(c -> new AssistantMessage.ToolCall(c.id(), "function", c.name(), c.arguments())).toList())
            .build());
        case "tool" -> prompt.add(ToolResponseMessage.builder().responses(message.responses().stream()
            .map(r -> new ToolResponseMessage.ToolResponse(r.id(), r.name(), r.data())).toList()).build());
        default -> throw new IllegalStateException("unknown role " + message.role());
      }
    }
    // each model wants its own options type (OpenAI casts to OpenAiChatOptions): start from its defaults
    ToolCallingChatOptions.Builder<?> options = model.chatModel().getDefaultOptions() instanceof ToolCallingChatOptions
        defaults ? defaults.mutate() : ToolCallingChatOptions.builder();
    return new Prompt(prompt, options.toolCallbacks(offered).build());
  }

  private Conversation awaitNotRunning(String id, Caller caller, Instant deadline) {
    synchronized (changes) {
      while (true) {
        Conversation conversation = get(id, caller);
        Duration left = remaining(deadline);
        if (conversation.status() != Status.RUNNING || left.isZero()) {
          return conversation;
        }
        try {
          changes.wait(Math.max(1, Math.min(left.toMillis(), 500))); // also polls: another node may run it
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return conversation;
        }
      }
    }
  }

  private void notifyChanged() {
    synchronized (changes) {
      changes.notifyAll();
    }
  }

  private static Duration remaining(Instant deadline) {
    Duration left = Duration.between(Instant.now(), deadline);
    return left.isNegative() ? Duration.ZERO : left;
  }

  private static GatewayException notFound(String id) {
    return new GatewayException(ErrorCode.NOT_FOUND, "No conversation " + id + ".");
  }

  /**
   * A tool as the model sees it: name, description, JSON schema. It cannot be run from here; the
   * agent loop runs calls through the gateway.
   */
  record DefinitionOnly(ToolDefinition definition) implements ToolCallback {
    DefinitionOnly(ToolDescriptor tool) {
      this(new DefaultToolDefinition(tool.name(), tool.description(), tool.inputSchema().toString()));
    }

    @Override
    public ToolDefinition getToolDefinition() {
      return definition;
    }

    @Override
    public String call(String toolInput) {
      throw new UnsupportedOperationException("Agent tools run only through the gateway, in the agent loop.");
    }
  }
}
