package dev.authoraization.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The OpenAI model is wired only with a non-blank key; otherwise the agent uses the offline planner. */
class AgentConfigurationTests {

  final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(AgentConfiguration.class);

  @Test
  void withoutAKeyNoModelIsWiredAndNothingNeedsOne() {
    runner.run(context -> {
      assertThat(context).hasNotFailed().doesNotHaveBean(AgentModel.class);
      assertThat(context.getBean(AgentProperties.class).openai().baseUrl()).isEqualTo("https://api.openai.com/v1");
    });
  }

  @Test
  void blankKeyCountsAsNoKey() {
    runner.withPropertyValues("engine.agent.openai.api-key=  ")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(AgentModel.class));
  }

  @Test
  void keyWiresTheOpenAiModelAtTheConfiguredServer() {
    runner.withPropertyValues("engine.agent.openai.api-key=sk-test", "engine.agent.openai.base-url=http://localhost:11434/v1",
        "engine.agent.openai.model=llama3.2").run(context -> {
          assertThat(context.getBean(AgentModel.class).mode()).isEqualTo("openai");
          assertThat(context.getBean(AgentProperties.class).openai().toString()).doesNotContain("sk-test");
        });
  }

  @Test
  void anthropicKeyWiresTheAnthropicModel() {
    runner.withPropertyValues("engine.agent.anthropic.api-key=sk-ant-test")
        .run(context -> assertThat(context.getBean(AgentModel.class).mode()).isEqualTo("anthropic"));
  }

  @Test
  void bothKeysWireOneModelAndOpenAiWins() {
    runner.withPropertyValues("engine.agent.anthropic.api-key=sk-ant-test", "engine.agent.openai.api-key=sk-test")
        .run(context -> assertThat(context.getBean(AgentModel.class).mode()).isEqualTo("openai"));
  }
}
