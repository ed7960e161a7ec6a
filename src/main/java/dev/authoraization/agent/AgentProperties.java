package dev.authoraization.agent;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The chat agent's settings ({@code engine.agent.*}). Without an OpenAI key the offline planner
 * answers; see docs/agent.md.
 *
 * @param maxToolRounds how many model ↔ tool round trips one user message may take
 * @param resultLimit the most bytes of one tool result the model sees (the rest is cut, with a note)
 * @param maxWait the longest {@code ?wait=} a reader may ask for
 * @param openai the OpenAI (or OpenAI-compatible) model, used when {@code api-key} is set
 * @param anthropic Anthropic's model, used when its {@code api-key} is set and OpenAI's is not
 */
@ConfigurationProperties("engine.agent")
public record AgentProperties(int maxToolRounds, int resultLimit, Duration maxWait, OpenAi openai, Anthropic anthropic) {

  public AgentProperties {
    maxToolRounds = maxToolRounds <= 0 ? 8 : maxToolRounds;
    resultLimit = resultLimit <= 0 ? 16 * 1024 : resultLimit;
    maxWait = maxWait == null || maxWait.isNegative() || maxWait.isZero() ? Duration.ofSeconds(30) : maxWait;
    openai = openai == null ? new OpenAi(null, null, null) : openai;
    anthropic = anthropic == null ? new Anthropic(null, null, null) : anthropic;
  }

  public static AgentProperties defaults() {
    return new AgentProperties(0, 0, null, null, null);
  }

  /**
   * @param apiKey the API key; any non-blank value turns the OpenAI model on
   * @param baseUrl the API's base URL including {@code /v1}; any OpenAI-compatible server works
   *     (Ollama {@code http://localhost:11434/v1}, vLLM, LM Studio)
   * @param model the model name
   */
  public record OpenAi(String apiKey, String baseUrl, String model) {
    public OpenAi(@Nullable String apiKey, @Nullable String baseUrl, @Nullable String model) {
      this.apiKey = apiKey == null ? "" : apiKey;
      this.baseUrl = baseUrl == null || baseUrl.isBlank() ? "https://api.openai.com/v1" : baseUrl;
      this.model = model == null || model.isBlank() ? "gpt-4o-mini" : model;
    }

    @Override
    public String toString() { // the key never reaches a log
      return "OpenAi[baseUrl=" + baseUrl + ", model=" + model + ", apiKey=" + (apiKey.isBlank() ? "unset" : "set") + "]";
    }
  }

  /**
   * @param apiKey the API key; any non-blank value turns the Anthropic model on (unless OpenAI's is set too)
   * @param baseUrl the API's base URL, without {@code /v1}
   * @param model the model name; empty for Spring AI's default
   */
  public record Anthropic(String apiKey, String baseUrl, String model) {
    public Anthropic(@Nullable String apiKey, @Nullable String baseUrl, @Nullable String model) {
      this.apiKey = apiKey == null ? "" : apiKey;
      this.baseUrl = baseUrl == null || baseUrl.isBlank() ? "https://api.anthropic.com" : baseUrl;
      this.model = model == null ? "" : model;
    }

    @Override
    public String toString() { // the key never reaches a log
      return "Anthropic[baseUrl=" + baseUrl + ", model=" + model + ", apiKey=" + (apiKey.isBlank() ? "unset" : "set") + "]";
    }
  }
}
