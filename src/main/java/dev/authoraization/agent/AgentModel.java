package dev.authoraization.agent;

import org.springframework.ai.chat.model.ChatModel;

/**
 * The model the agent talks to, and which mode it is: {@code openai} or {@code offline} (the
 * deterministic {@link OfflinePlanner}). Its own type, so no other {@code ChatModel} bean in the
 * application is picked up by accident.
 */
public record AgentModel(String mode, ChatModel chatModel) {

  public static AgentModel offline() {
    return new AgentModel("offline", new OfflinePlanner());
  }
}
