package dev.authoraization.agent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import reactor.core.publisher.Flux;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The model used when none is configured: deterministic, offline, and honest about it. It turns
 * the demo's requests into the tool calls a real model would make (an {@link AssistantMessage}
 * with tool calls, so the agent loop is the same for both), and once the results are back writes
 * a plain answer from them. It only formats results; nothing inside them steers it.
 *
 * <p>Phrases (docs/agent.md): "show the open bugs in demo/webapp", "list the pull requests",
 * "what does PR 2 change", "show issue 3", "merge PR 2", "read README.md", "list my repositories",
 * "comment "text" on issue 3". A repository is named as {@code in owner/repo}; without one, the
 * last one named in the conversation, else demo/webapp.
 *
 * <p>It streams as a real model does: an answer in pieces (a word and the space after it), a
 * message with tool calls in one piece.
 */
public final class OfflinePlanner implements ChatModel {

  static final String DEFAULT_OWNER = "demo";
  static final String DEFAULT_REPO = "webapp";

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Pattern PIECE = Pattern.compile("\\S+\\s*|\\s+");
  private static final Pattern REPOSITORY = Pattern.compile(
      "\\b(?:in|of|from|on|for|at)\\s+([A-Za-z0-9][A-Za-z0-9-]*)/([A-Za-z0-9._-]+?)(?=[\\s?!,;:]|\\.?$|\\.\\s)");
  private static final Pattern PULL = Pattern.compile("\\b(?:pr|pull request|pull|merge request)\\s*#?(\\d+)");
  private static final Pattern ISSUE = Pattern.compile("\\bissue\\s*#?(\\d+)");
  private static final Pattern NUMBER = Pattern.compile("#(\\d+)");
  private static final Pattern FILE = Pattern.compile(
      "\\b(?:read|show|open|cat|print|get)\\s+(?:me\\s+)?(?:the\\s+)?(?:file\\s+)?([A-Za-z0-9_./-]+\\.[A-Za-z0-9]+|readme)\\b",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern COMMENT = Pattern.compile(
      "\\bcomment\\s+\"([^\"]+)\"\\s+on\\s+(?:issue|pr|pull request)\\s*#?(\\d+)", Pattern.CASE_INSENSITIVE);

  static final String HELP = "I am the engine's offline planner (no language model is configured), so I understand "
      + "only a few requests: \"show the open bugs in demo/webapp\", \"list the pull requests in demo/webapp\", "
      + "\"what does PR 2 change\", \"show issue 3\", \"merge PR 2\", \"read README.md\", \"list my repositories\", "
      + "and \"comment \\\"text\\\" on issue 3\". Configure engine.agent.openai.api-key for a real model.";

  @Override
  public ChatResponse call(Prompt prompt) {
    List<Message> messages = prompt.getInstructions();
    Message last = messages.isEmpty() ? new UserMessage("") : messages.getLast();
    Set<String> offered = prompt.getOptions() instanceof ToolCallingChatOptions options
        ? options.getToolCallbacks().stream().map(t -> t.getToolDefinition().name()).collect(Collectors.toSet())
        : Set.of();
    AssistantMessage answer = last instanceof ToolResponseMessage results
        ? new AssistantMessage(answer(results, calls(messages)))
        : plan(last.getText() == null ? "" : last.getText(), messages, offered);
    return new ChatResponse(List.of(new Generation(answer)));
  }

  @Override
  public Flux<ChatResponse> stream(Prompt prompt) {
    ChatResponse whole = call(prompt);
    AssistantMessage answer = whole.getResult().getOutput();
    if (answer.hasToolCalls() || answer.getText() == null || answer.getText().isEmpty()) {
      return Flux.just(whole);
    }
    return Flux.fromIterable(pieces(answer.getText()))
        .map(piece -> new ChatResponse(List.of(new Generation(new AssistantMessage(piece)))));
  }

  /** A text as it streams: each word with the whitespace after it; joined, the text again. */
  static List<String> pieces(String text) {
    List<String> pieces = new ArrayList<>();
    Matcher m = PIECE.matcher(text);
    while (m.find()) {
      pieces.add(m.group());
    }
    return pieces;
  }

  // ---- planning: a request becomes a tool call

  private AssistantMessage plan(String text, List<Message> messages, Set<String> offered) {
    Optional<Planned> planned = plan(text, repository(text, messages));
    if (planned.isEmpty()) {
      return new AssistantMessage(HELP);
    }
    Planned call = planned.get();
    if (!offered.contains(call.tool())) {
      return new AssistantMessage("You may not use " + call.tool() + " (the engine's policy does not offer it to "
          + "you), so I did not try.");
    }
    return AssistantMessage.builder().content("")
        .toolCalls(List.of(new AssistantMessage.ToolCall("call_" + UUID.randomUUID(), "function", call.tool(),
            call.arguments().toString())))
        .build();
  }

  private record Planned(String tool, ObjectNode arguments) {}

  private static Optional<Planned> plan(String original, String[] repository) {
    String text = original.toLowerCase(Locale.ROOT);
    Matcher comment = COMMENT.matcher(original);
    if (comment.find()) {
      return Optional.of(new Planned("comment_on_issue", repo(repository)
          .put("issue_number", Integer.parseInt(comment.group(2))).put("body", comment.group(1))));
    }
    Optional<Integer> pull = number(PULL, text).or(() -> text.contains("merge") ? number(NUMBER, text) : Optional.empty());
    if (text.contains("merge") && pull.isPresent()) {
      return Optional.of(new Planned("merge_pull_request", repo(repository).put("pull_number", pull.get())));
    }
    if (pull.isPresent()) {
      return Optional.of(new Planned("get_pull_request", repo(repository).put("pull_number", pull.get())));
    }
    if (text.matches(".*\\b(pull requests|prs|pulls)\\b.*")) {
      return Optional.of(new Planned("list_pull_requests", repo(repository).put("state", state(text))));
    }
    Optional<Integer> issue = number(ISSUE, text).or(() -> number(NUMBER, text));
    if (issue.isPresent()) {
      return Optional.of(new Planned("get_issue", repo(repository).put("issue_number", issue.get())));
    }
    if (text.matches(".*\\b(bugs?|issues)\\b.*")) {
      ObjectNode arguments = repo(repository).put("state", state(text));
      if (text.matches(".*\\bbugs?\\b.*")) {
        arguments.put("labels", "bug");
      }
      return Optional.of(new Planned("list_issues", arguments));
    }
    if (text.matches(".*\\b(repositories|repos)\\b.*")) {
      return Optional.of(new Planned("list_repositories", JSON.createObjectNode()));
    }
    Matcher file = FILE.matcher(original);
    if (file.find()) {
      String path = file.group(1).equalsIgnoreCase("readme") ? "README.md" : file.group(1);
      return Optional.of(new Planned("get_file_contents", repo(repository).put("path", path)));
    }
    return Optional.empty();
  }

  private static String state(String text) {
    return text.contains("closed") ? "closed" : text.matches(".*\\ball\\b.*") ? "all" : "open";
  }

  private static Optional<Integer> number(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
  }

  private static ObjectNode repo(String[] repository) {
    return JSON.createObjectNode().put("owner", repository[0]).put("repo", repository[1]);
  }

  /** The repository this message names, else the last one the user named, else the demo's. */
  private static String[] repository(String text, List<Message> messages) {
    List<String> texts = new ArrayList<>();
    texts.add(text);
    for (int i = messages.size() - 1; i >= 0; i--) {
      if (messages.get(i) instanceof UserMessage user && user.getText() != null) {
        texts.add(user.getText());
      }
    }
    for (String candidate : texts) {
      Matcher m = REPOSITORY.matcher(candidate);
      if (m.find()) {
        return new String[] {m.group(1), m.group(2)};
      }
    }
    return new String[] {DEFAULT_OWNER, DEFAULT_REPO};
  }

  // ---- answering: results become a plain answer

  /** The tool calls of the last assistant turn, by id, to know what each result answers. */
  private static Map<String, AssistantMessage.ToolCall> calls(List<Message> messages) {
    Map<String, AssistantMessage.ToolCall> calls = new LinkedHashMap<>();
    for (int i = messages.size() - 1; i >= 0; i--) {
      if (messages.get(i) instanceof AssistantMessage assistant && assistant.hasToolCalls()) {
        assistant.getToolCalls().forEach(c -> calls.put(c.id(), c));
        break;
      }
    }
    return calls;
  }

  private static String answer(ToolResponseMessage results, Map<String, AssistantMessage.ToolCall> calls) {
    List<String> parts = new ArrayList<>();
    for (ToolResponseMessage.ToolResponse response : results.getResponses()) {
      AssistantMessage.ToolCall call = calls.get(response.id());
      JsonNode arguments = call == null ? JSON.createObjectNode() : parse(call.arguments()).orElse(JSON.createObjectNode());
      parts.add(ToolEnvelope.open(response.responseData())
          .map(opened -> opened.data() ? describe(response.name(), arguments, opened)
              : refused(response.name(), arguments, opened))
          .orElse("I got no readable result from " + response.name() + "."));
    }
    return String.join("\n\n", parts);
  }

  private static String refused(String tool, JsonNode arguments, ToolEnvelope.Opened opened) {
    String verb = opened.status().equals("approval_denied") ? "I did not " : "I could not ";
    return verb + action(tool, arguments) + ": " + opened.body().strip();
  }

  private static String action(String tool, JsonNode a) {
    String repo = a.path("owner").asString("?") + "/" + a.path("repo").asString("?");
    return switch (tool) {
      case "merge_pull_request" -> "merge pull request #" + a.path("pull_number").asString("?") + " in " + repo;
      case "get_pull_request" -> "read pull request #" + a.path("pull_number").asString("?") + " in " + repo;
      case "list_issues" -> "list the issues of " + repo;
      case "list_pull_requests" -> "list the pull requests of " + repo;
      case "get_issue" -> "read issue #" + a.path("issue_number").asString("?") + " in " + repo;
      case "get_file_contents" -> "read " + a.path("path").asString("?") + " in " + repo;
      case "comment_on_issue" -> "comment on #" + a.path("issue_number").asString("?") + " in " + repo;
      case "list_repositories" -> "list the repositories";
      default -> "run " + tool;
    };
  }

  private static String describe(String tool, JsonNode arguments, ToolEnvelope.Opened opened) {
    Optional<JsonNode> parsed = parse(opened.body());
    if (parsed.isEmpty()) {
      return "The result of " + tool + " was too large or not readable" + (opened.truncated() ? " (it was cut)" : "")
          + ", so I cannot summarise it.";
    }
    JsonNode r = parsed.get();
    String repo = arguments.path("owner").asString("?") + "/" + arguments.path("repo").asString("?");
    StringBuilder out = new StringBuilder();
    switch (tool) {
      case "list_issues" -> {
        String label = arguments.path("labels").asString("");
        String what = label.equals("bug") ? "bugs" : label.isBlank() ? "issues" : "issues labelled " + label;
        out.append("There ").append(r.path("issues").size() == 1 ? "is " : "are ").append(r.path("issues").size())
            .append(' ').append(arguments.path("state").asString("open")).append(' ').append(what)
            .append(" in ").append(repo).append(r.path("issues").isEmpty() ? "." : ":");
        r.path("issues").forEach(i -> out.append("\n- #").append(i.path("number").asLong()).append(' ')
            .append(i.path("title").asString("")));
      }
      case "list_pull_requests" -> {
        out.append("Pull requests (").append(arguments.path("state").asString("open")).append(") in ").append(repo)
            .append(": ").append(r.path("pull_requests").size()).append(r.path("pull_requests").isEmpty() ? "." : "");
        r.path("pull_requests").forEach(p -> out.append("\n- #").append(p.path("number").asLong()).append(' ')
            .append(p.path("title").asString("")).append(" (").append(p.path("head_ref").asString(""))
            .append(" → ").append(p.path("base_ref").asString("")).append(')'));
      }
      case "get_pull_request" -> out.append("Pull request #").append(r.path("number").asLong()).append(" \"")
          .append(r.path("title").asString("")).append("\" by ").append(r.path("author").asString("?"))
          .append(" merges ").append(r.path("head_ref").asString("?")).append(" into ")
          .append(r.path("base_ref").asString("?")).append(": ").append(r.path("changed_files").asLong())
          .append(" file(s) changed, +").append(r.path("additions").asLong()).append(" −")
          .append(r.path("deletions").asLong()).append(". It is ").append(r.path("state").asString("?"))
          .append(r.path("merged").asBoolean(false) ? " and already merged."
              : r.path("mergeable").asBoolean(false) ? " and can be merged." : " and cannot be merged as it stands.");
      case "get_issue" -> out.append("Issue #").append(r.path("number").asLong()).append(" \"")
          .append(r.path("title").asString("")).append("\" (").append(r.path("state").asString("?")).append(") by ")
          .append(r.path("author").asString("?")).append(":\n").append(clip(r.path("body").asString(""), 1000));
      case "get_file_contents" -> {
        if (r.path("type").asString("").equals("dir")) {
          out.append(r.path("path").asString("")).append(" in ").append(repo).append(" holds:");
          r.path("entries").forEach(e -> out.append("\n- ").append(e.path("name").asString("")));
        } else if (r.path("text_available").asBoolean(false)) {
          out.append(r.path("path").asString("")).append(" in ").append(repo).append(":\n\n")
              .append(clip(r.path("text").asString(""), 4000));
        } else {
          out.append("I cannot show ").append(r.path("path").asString("")).append(": ")
              .append(r.path("reason").asString("no text"));
        }
      }
      case "list_repositories" -> {
        out.append("You can see ").append(r.path("repositories").size()).append(" repositories:");
        r.path("repositories").forEach(p -> out.append("\n- ").append(p.path("full_name").asString("")));
      }
      case "merge_pull_request" -> out.append("Merged pull request #").append(arguments.path("pull_number").asString("?"))
          .append(" in ").append(repo).append(r.path("sha").isString() ? " (merge commit "
              + r.path("sha").asString() + ")." : ".");
      case "comment_on_issue" -> out.append("I commented on #").append(arguments.path("issue_number").asString("?"))
          .append(" in ").append(repo).append(": ").append(r.path("url").asString(""));
      default -> out.append(tool).append(" returned: ").append(clip(r.toString(), 1000));
    }
    if (opened.truncated()) {
      out.append("\n(The result was cut to fit; there may be more.)");
    }
    return out.toString();
  }

  private static Optional<JsonNode> parse(String text) {
    try {
      return Optional.of(JSON.readTree(text));
    } catch (JacksonException e) {
      return Optional.empty();
    }
  }

  private static String clip(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max) + " …";
  }
}
