package dev.authoraization.redteam;

import dev.authoraization.agent.ToolEnvelope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The worst model an engine can be given: it obeys whatever it reads. Asked by the user, it makes
 * the one read call it was built with; then it searches every tool result, envelope or not, for
 * instructions and carries them out as tool calls:
 *
 * <ul>
 *   <li>tool-call JSON in any common shape ({@code {"tool"|"name": …, "arguments": …}}, OpenAI's
 *       {@code tool_calls}), also inside strings (an issue body is a string in the result);
 *   <li>"merge PR 7", "merge pull request #7", "merge-pr-7" in prose, titles, labels or branch names.
 * </ul>
 *
 * It reads as a language model does: invisible Unicode tag characters (U+E0020–U+E007E, "ASCII
 * smuggling") are decoded, zero-width and direction controls are skipped. Its final answer repeats
 * everything it read, as a summariser would, so a secret in any tool result would end up there.
 */
final class ObedientModel implements ChatModel {

  static final int MAX_OBEYED_ROUNDS = 3;
  /** Reads the first JSON value at a position and ignores what follows it, as a sloppy parser would. */
  private static final JsonMapper JSON = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
  private static final Pattern MERGE = Pattern.compile(
      "merge[\\s_-]+(?:the[\\s_-]+)?(?:pr|pull[\\s_-]+request)[\\s_-]*#?(\\d+)", Pattern.CASE_INSENSITIVE);

  final List<Prompt> prompts = new CopyOnWriteArrayList<>();
  final List<String> obeyed = new CopyOnWriteArrayList<>();
  private final String firstTool;
  private final String firstArguments;
  private int rounds;

  ObedientModel(String firstTool, String firstArguments) {
    this.firstTool = firstTool;
    this.firstArguments = firstArguments;
  }

  /** The tool of the read the user asked for. */
  String firstTool() {
    return firstTool;
  }

  @Override
  public ChatResponse call(Prompt prompt) {
    prompts.add(prompt);
    return new ChatResponse(List.of(new Generation(answer(prompt))));
  }

  private AssistantMessage answer(Prompt prompt) {
    Message last = prompt.getInstructions().getLast();
    if (last instanceof UserMessage) {
      return calls(List.of(new Call(firstTool, firstArguments)));
    }
    if (!(last instanceof ToolResponseMessage results) || rounds >= MAX_OBEYED_ROUNDS) {
      return summary(prompt);
    }
    rounds++;
    Map<String, Call> wanted = new LinkedHashMap<>();
    for (ToolResponseMessage.ToolResponse response : results.getResponses()) {
      for (String text : readable(response.responseData())) {
        instructions(text).forEach(c -> wanted.putIfAbsent(c.name() + " " + c.arguments(), c));
      }
    }
    wanted.keySet().removeAll(obeyed);
    if (wanted.isEmpty()) {
      return summary(prompt);
    }
    obeyed.addAll(wanted.keySet());
    return calls(List.copyOf(wanted.values()));
  }

  /** A tool call as the model would emit it: name and the arguments' JSON text. */
  record Call(String name, String arguments) {}

  /** What a tool result says, as text a model reads: the envelope's body and every string in it. */
  static List<String> readable(String data) {
    String body = ToolEnvelope.open(data).map(ToolEnvelope.Opened::body).orElse(data);
    List<String> texts = new ArrayList<>();
    texts.add(read(body));
    try {
      strings(JSON.readTree(body), texts);
    } catch (RuntimeException notJson) {
      // a cut result is not JSON any more; the raw text is still read
    }
    return texts;
  }

  private static void strings(JsonNode node, List<String> out) {
    if (node.isString()) {
      out.add(read(node.asString()));
    }
    node.values().forEach(child -> strings(child, out));
  }

  /** Decodes Unicode tag characters to ASCII and drops other invisible format characters. */
  static String read(String text) {
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints().forEach(cp -> {
      if (cp >= 0xE0020 && cp <= 0xE007E) {
        out.append((char) (cp - 0xE0000));
      } else if (Character.getType(cp) != Character.FORMAT) {
        out.appendCodePoint(cp);
      }
    });
    return out.toString();
  }

  static List<Call> instructions(String text) {
    List<Call> calls = new ArrayList<>();
    for (int i = text.indexOf('{'); i >= 0; i = text.indexOf('{', i + 1)) {
      try (JsonParser parser = JSON.createParser(text.substring(i))) {
        toolCalls(JSON.readTree(parser), calls);
      } catch (RuntimeException notAnObject) {
        // not JSON from here: go on reading
      }
    }
    Matcher merge = MERGE.matcher(text);
    while (merge.find()) {
      calls.add(new Call("merge_pull_request",
          "{\"owner\":\"demo\",\"repo\":\"webapp\",\"pull_number\":" + merge.group(1) + "}"));
    }
    return calls;
  }

  private static void toolCalls(JsonNode node, List<Call> out) {
    if (node == null || !node.isObject()) {
      return;
    }
    JsonNode name = node.has("tool") ? node.get("tool") : node.get("name");
    JsonNode arguments = node.get("arguments");
    if (name != null && name.isString() && arguments != null) {
      out.add(new Call(name.asString(), arguments.isString() ? arguments.asString() : arguments.toString()));
    }
    node.optional("function").ifPresent(f -> toolCalls(f, out));
    node.path("tool_calls").values().forEach(c -> toolCalls(c, out));
  }

  private AssistantMessage summary(Prompt prompt) {
    StringBuilder read = new StringBuilder("Done as the text said. Everything I read: ");
    for (Message message : prompt.getInstructions()) {
      if (message instanceof ToolResponseMessage results) {
        results.getResponses().forEach(r -> read.append(r.responseData()).append('\n'));
      }
    }
    return new AssistantMessage(read.toString());
  }

  private static AssistantMessage calls(List<Call> calls) {
    return AssistantMessage.builder().content("").toolCalls(calls.stream()
        .map(c -> new AssistantMessage.ToolCall("call_" + UUID.randomUUID(), "function", c.name(), c.arguments()))
        .toList()).build();
  }
}
