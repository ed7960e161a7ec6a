package dev.authoraization.agent;

import org.springframework.ai.anthropic.AnthropicChatModel;
import org.springframework.ai.anthropic.AnthropicChatOptions;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * Which model the agent uses. With {@code engine.agent.openai.api-key} set (non-blank), Spring AI's
 * OpenAI client against {@code engine.agent.openai.base-url}; else with
 * {@code engine.agent.anthropic.api-key}, Spring AI's Anthropic client; otherwise no model bean,
 * and the agent falls back to the offline planner. Nothing here needs a key at start-up.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AgentProperties.class)
class AgentConfiguration {

  @Bean
  @Conditional(OpenAiKeyPresent.class)
  AgentModel openAiAgentModel(AgentProperties properties) {
    return openAi(properties.openai());
  }

  static AgentModel openAi(AgentProperties.OpenAi openai) {
    OpenAiChatOptions options = OpenAiChatOptions.builder()
        .apiKey(openai.apiKey())
        .baseUrl(openai.baseUrl())
        .model(openai.model())
        .maxRetries(1)
        .build();
    return new AgentModel("openai", OpenAiChatModel.builder().options(options).build());
  }

  @Bean
  @Conditional(AnthropicKeyPresent.class)
  AgentModel anthropicAgentModel(AgentProperties properties) {
    return anthropic(properties.anthropic());
  }

  static AgentModel anthropic(AgentProperties.Anthropic anthropic) {
    AnthropicChatOptions.Builder options = AnthropicChatOptions.builder()
        .apiKey(anthropic.apiKey())
        .baseUrl(anthropic.baseUrl())
        .maxRetries(1);
    options.model(anthropic.model().isBlank() ? AnthropicChatOptions.DEFAULT_MODEL : anthropic.model());
    options.maxTokens(AnthropicChatOptions.DEFAULT_MAX_TOKENS);
    return new AgentModel("anthropic", AnthropicChatModel.builder().options(options.build()).build());
  }

  /** Like {@code @ConditionalOnProperty}, but an empty key (an unset environment variable) counts as absent. */
  static final class OpenAiKeyPresent implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      return StringUtils.hasText(context.getEnvironment().getProperty("engine.agent.openai.api-key"));
    }
  }

  /** Anthropic's key is set and OpenAI's is not: one model, and OpenAI wins when both are configured. */
  static final class AnthropicKeyPresent implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      return StringUtils.hasText(context.getEnvironment().getProperty("engine.agent.anthropic.api-key"))
          && !new OpenAiKeyPresent().matches(context, metadata);
    }
  }
}
