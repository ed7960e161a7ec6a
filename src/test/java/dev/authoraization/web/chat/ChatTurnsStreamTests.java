package dev.authoraization.web.chat;

import static dev.authoraization.support.GatewayHarness.ADMIN;
import static dev.authoraization.support.GatewayHarness.ALICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.authoraization.agent.AgentModel;
import dev.authoraization.agent.AgentProperties;
import dev.authoraization.agent.AgentService;
import dev.authoraization.agent.ConversationStore;
import dev.authoraization.approval.ApprovalRequest.Verdict;
import dev.authoraization.call.ApprovalRequirement;
import dev.authoraization.call.Caller;
import dev.authoraization.call.Decision;
import dev.authoraization.policy.Explanation;
import dev.authoraization.policy.Policy;
import dev.authoraization.policy.PolicyInput;
import dev.authoraization.support.GatewayHarness;
import dev.authoraization.support.OpenAiStub;
import dev.authoraization.support.TestDatabases;
import dev.authoraization.tool.ToolCatalog;
import dev.authoraization.tool.ToolDescriptor;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.thymeleaf.spring6.SpringTemplateEngine;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;

/**
 * What the chat page receives over its event stream when the model is OpenAI and streams: a
 * merge whose arguments arrive in fragments waits for approval (card, approval card, locked
 * composer), and once approved the executed card comes first, then the answer piece by piece
 * into one bubble, in order, and the end of the run does not repeat it. The real turn runner,
 * templates, agent, gateway and approvals; only OpenAI is a local stub ({@link OpenAiStub}).
 */
class ChatTurnsStreamTests {

  /** Only merge_change is offered; it needs one approver. */
  record MergeOnly() implements Policy {
    @Override
    public Decision decide(PolicyInput input) {
      return input.call().tool().equals("merge_change")
          ? new Decision.NeedsApproval("merge", new ApprovalRequirement(Set.of("approver"), 1, Duration.ofMinutes(15), true))
          : new Decision.Deny(Decision.DEFAULT_DENY, "no_matching_rule");
    }

    @Override
    public Explanation explain(PolicyInput input) {
      return new Explanation(decide(input), revision(), List.of());
    }

    @Override
    public boolean offers(Caller caller, ToolDescriptor tool) {
      return tool.name().equals("merge_change");
    }

    @Override
    public String revision() {
      return "test";
    }
  }

  /** An event stream that keeps what it was sent, as the browser would get it. */
  static final class Recorded extends SseEmitter {
    final List<String> events = new CopyOnWriteArrayList<>();
    volatile boolean completed;

    @Override
    public void send(SseEventBuilder event) {
      events.add(event.build().stream().map(d -> String.valueOf(d.getData())).collect(Collectors.joining()));
    }

    @Override
    public void complete() {
      completed = true;
    }
  }

  static SpringTemplateEngine templates() {
    ClassLoaderTemplateResolver resolver = new ClassLoaderTemplateResolver();
    resolver.setPrefix("templates/");
    resolver.setSuffix(".html");
    resolver.setTemplateMode(TemplateMode.HTML);
    SpringTemplateEngine engine = new SpringTemplateEngine();
    engine.setTemplateResolver(resolver);
    return engine;
  }

  /** Spring AI's OpenAI client, as the engine configures it, against the stub. */
  static AgentModel openAi(OpenAiStub stub) {
    return new AgentModel("openai", OpenAiChatModel.builder().options(OpenAiChatOptions.builder()
        .apiKey("sk-test-not-a-real-key").baseUrl(stub.baseUrl()).model("gpt-4o-mini").maxRetries(1).build()).build());
  }

  @Test
  void anApprovedMergeStreamsItsAnswerIntoOneBubbleAfterTheExecutedCard() throws Exception {
    DataSource db = TestDatabases.h2();
    Policy policy = new MergeOnly();
    GatewayHarness harness = new GatewayHarness(db, policy);
    try (OpenAiStub openAi = new OpenAiStub();
        AgentService agent = new AgentService(harness.gateway, new ToolCatalog(List.of(harness.tools)), policy,
            new ConversationStore(new JdbcTemplate(db)), openAi(openAi), AgentProperties.defaults());
        ChatTurns turns = new ChatTurns(agent, harness.approvals, AgentProperties.defaults(), templates(),
            new SubmittedTurns(JdbcClient.create(db), Clock.systemUTC()))) {
      openAi.answers.add(OpenAiStub.toolCall("call_m3rg3", "merge_change", "{\"re", "po\":\"demo/", "webapp\"}"));
      openAi.answers.add(OpenAiStub.text("Merged", " the change", " in demo/webapp", "."));
      String conversation = agent.start(ALICE).id();
      Recorded page = new Recorded();

      turns.stream(turns.submit(conversation, ALICE, "merge the change in demo/webapp"), ALICE, page);
      // generous: the OpenAI SDK's first request introspects its model classes, slow on a busy machine
      await().atMost(Duration.ofSeconds(90)).until(() -> page.events.stream().anyMatch(e -> e.contains("card approval open")));
      String approvalId = agent.get(conversation, ALICE).approvalId().orElseThrow();
      harness.approvals.decide(approvalId, ADMIN, harness.approvals.get(approvalId).fingerprint(), Verdict.APPROVE, "ok");
      await().atMost(Duration.ofSeconds(90)).until(() -> page.completed);

      List<String> events = page.events;
      assertThat(events.getFirst()).startsWith("event:step").contains("merge_change", "pending", "needs a human approval",
          "Locked: a tool call waits").contains("class=\"duration\"");
      assertThat(events.get(1)).contains("merge_change", "executed").doesNotContain("piece")
          .as("the merge ran when it was approved, outside the agent's run: no made-up duration")
          .doesNotContain("class=\"duration\"");
      Matcher bubble = Pattern.compile("<p id=\"(reply-[0-9a-f-]{36})\"><span class=\"piece\">Merged</span></p>")
          .matcher(events.get(2));
      assertThat(bubble.find()).as(events.get(2)).isTrue();
      for (int i = 0; i < 3; i++) {
        assertThat(events.get(3 + i)).contains("hx-swap-oob=\"beforeend:#" + bubble.group(1) + "\"")
            .contains("<span class=\"piece\">" + List.of(" the change", " in demo/webapp", ".").get(i) + "</span>");
      }
      assertThat(events.get(6)).contains("Approval executed", "Enter sends").doesNotContain("Merged the change");
      assertThat(events.get(7)).startsWith("event:done");
      assertThat(events).hasSize(8);
      assertThat(harness.tools.executions).hasValue(1);
      assertThat(openAi.requests).hasSize(2).allSatisfy(r -> assertThat(r.path("stream").asBoolean()).isTrue());
    }
  }
}
