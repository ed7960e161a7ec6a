package dev.authoraization.agent;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.UUID;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;

/** A model double: answers each prompt with what {@code script} says, and remembers every prompt. */
final class ScriptedModel implements ChatModel {

  final List<Prompt> prompts = new CopyOnWriteArrayList<>();
  private final Function<Prompt, AssistantMessage> script;

  ScriptedModel(Function<Prompt, AssistantMessage> script) {
    this.script = script;
  }

  @Override
  public ChatResponse call(Prompt prompt) {
    prompts.add(prompt);
    return new ChatResponse(List.of(new Generation(script.apply(prompt))));
  }

  static Message last(Prompt prompt) {
    return prompt.getInstructions().getLast();
  }

  static boolean afterTools(Prompt prompt) {
    return last(prompt) instanceof ToolResponseMessage;
  }

  static String results(Prompt prompt) {
    return ((ToolResponseMessage) last(prompt)).getResponses().stream()
        .map(ToolResponseMessage.ToolResponse::responseData).reduce("", String::concat);
  }

  static AssistantMessage calls(String... nameThenArguments) {
    List<AssistantMessage.ToolCall> calls = new java.util.ArrayList<>();
    for (int i = 0; i < nameThenArguments.length; i += 2) {
      calls.add(new AssistantMessage.ToolCall("call_" + UUID.randomUUID(), "function", nameThenArguments[i],
          nameThenArguments[i + 1]));
    }
    return AssistantMessage.builder().content("").toolCalls(calls).build();
  }
}
