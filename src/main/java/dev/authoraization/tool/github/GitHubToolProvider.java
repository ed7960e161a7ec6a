package dev.authoraization.tool.github;

import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.call.ToolCall;
import dev.authoraization.call.ToolResult;
import dev.authoraization.credential.Credential;
import dev.authoraization.credential.CredentialNeed;
import dev.authoraization.tool.Risk;
import dev.authoraization.tool.ToolDescriptor;
import dev.authoraization.tool.ToolProvider;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * GitHub as tools: reading issues, pull requests, files and repositories, commenting, and merging.
 * Each tool declares the exact GitHub App permissions it needs, so the vault can mint a token
 * with just those for just the one repository.
 */
@Component
public class GitHubToolProvider implements ToolProvider {

  /**
   * The precondition a merge approval binds. The gateway refuses it from agents when a call needs
   * approval, and hands the approved value back to {@code execute} as an argument of this name.
   */
  public static final String EXPECTED_HEAD_SHA = "expected_head_sha";
  /** The resource of a call that names no repository. */
  public static final String ANY_REPOSITORY = "*";

  // GitHub: user and organization names are alphanumeric with single inner hyphens, at most 39
  // characters; repository names are ASCII letters, digits, '.', '-', '_', at most 100.
  private static final Pattern OWNER = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?");
  private static final Pattern REPO = Pattern.compile("[A-Za-z0-9._-]{1,100}");
  private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");

  private static final Map<String, String> ISSUES_READ = Map.of("issues", "read");
  private static final Map<String, String> PULLS_READ = Map.of("pull_requests", "read");
  /*
   * Listing pull requests also reads each head commit's combined status, which GitHub files under
   * the "Commit statuses" permission (docs.github.com/rest/authentication/permissions-required-
   * for-github-apps: "GET /repos/{owner}/{repo}/commits/{ref}/status (read)").
   */
  private static final Map<String, String> PULLS_AND_STATUSES_READ = Map.of("pull_requests", "read", "statuses", "read");
  /** Checks are read for at most this many pull requests of a listing (one request each). */
  static final int MAX_CHECKED_PULLS = 30;
  /*
   * Merging needs Contents: write. Source: GitHub Docs, "Permissions required for GitHub Apps"
   * (docs.github.com/rest/authentication/permissions-required-for-github-apps), which lists
   * "PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge (write)" under the Contents permission,
   * and the REST page "Merge a pull request" (fine-grained tokens: "Contents" repository
   * permissions (write)); the description's app-permissions schema says of contents "... and
   * merges". Pull requests: read is for reading the head SHA right before merging.
   */
  private static final Map<String, String> MERGE = Map.of("contents", "write", "pull_requests", "read");

  private final GitHubClient github;
  private final List<ToolDescriptor> tools;
  private final Map<String, ToolDescriptor> byName;

  public GitHubToolProvider(GitHubClient github) {
    this.github = github;
    this.tools = List.of(
        new ToolDescriptor("list_issues",
            "List a repository's issues (pull requests are left out), newest first.",
            ArgumentSchema.repository()
                .choice("state", "Which issues", "open", "open", "closed", "all")
                .string("labels", "Comma-separated label names, e.g. \"bug\" or \"bug,ui\"", false)
                .integer("per_page", "Page size asked of GitHub", 1, 100, 30)
                .integer("max_results", "Most issues to return", 1, 500, 100)
                .build(),
            Risk.READ, need(ISSUES_READ)),
        new ToolDescriptor("get_issue", "Read one issue.",
            ArgumentSchema.repository().integer("issue_number", "Issue number", 1, Integer.MAX_VALUE, true).build(),
            Risk.READ, need(ISSUES_READ)),
        new ToolDescriptor("list_pull_requests",
            "List a repository's pull requests with the state of their checks (the head commit's combined status).",
            ArgumentSchema.repository().choice("state", "Which pull requests", "open", "open", "closed", "all").build(),
            Risk.READ, need(PULLS_AND_STATUSES_READ)),
        new ToolDescriptor("get_pull_request",
            "Read one pull request: branches, head commit, whether it can be merged, size of the change.",
            ArgumentSchema.repository().integer("pull_number", "Pull request number", 1, Integer.MAX_VALUE, true).build(),
            Risk.READ, need(PULLS_READ)),
        new ToolDescriptor("get_file_contents",
            "Read a file (as text) or list a directory in a repository.",
            ArgumentSchema.repository()
                .string("path", "Path in the repository; empty for the root is not allowed, use \"/\"", true)
                .string("ref", "Branch, tag or commit; the default branch when omitted", false)
                .build(),
            Risk.READ, need(Map.of("contents", "read"))),
        new ToolDescriptor("list_repositories", "List the repositories the engine's GitHub credential can see.",
            ArgumentSchema.object().build(), Risk.READ, need(Map.of("metadata", "read"))),
        new ToolDescriptor("comment_on_issue", "Add a comment to an issue or pull request.",
            ArgumentSchema.repository()
                .integer("issue_number", "Issue or pull request number", 1, Integer.MAX_VALUE, true)
                .string("body", "Comment text (Markdown)", true)
                .build(),
            Risk.WRITE, need(Map.of("issues", "write"))),
        new ToolDescriptor("merge_pull_request",
            "Merge a pull request. Needs a human approval bound to the pull request's head commit.",
            ArgumentSchema.repository()
                .integer("pull_number", "Pull request number", 1, Integer.MAX_VALUE, true)
                .choice("merge_method", "How to merge", "merge", "merge", "squash", "rebase")
                .string("commit_title", "Title of the merge commit", false)
                .string(EXPECTED_HEAD_SHA,
                    "Set by the engine from the approval, not by agents: the head commit the approver saw.", false)
                .build(),
            Risk.DESTRUCTIVE, need(MERGE)));
    Map<String, ToolDescriptor> names = new LinkedHashMap<>();
    tools.forEach(tool -> names.put(tool.name(), tool));
    this.byName = Map.copyOf(names);
  }

  private static CredentialNeed need(Map<String, String> permissions) {
    return new CredentialNeed("github", permissions);
  }

  @Override
  public List<ToolDescriptor> tools() {
    return tools;
  }

  @Override
  public String resource(ToolCall call) {
    descriptor(call);
    if (call.tool().equals("list_repositories")) {
      return ANY_REPOSITORY;
    }
    return repository(call).fullName();
  }

  @Override
  public Map<String, String> preconditions(ToolCall call, Credential readOnly) {
    if (!call.tool().equals("merge_pull_request")) {
      return Map.of();
    }
    return Map.of(EXPECTED_HEAD_SHA, headSha(pull(call, readOnly)));
  }

  /** For a merge: what the pull request is, as GitHub describes it when approval is asked for. */
  @Override
  public Map<String, String> context(ToolCall call, Credential readOnly) {
    if (!call.tool().equals("merge_pull_request")) {
      return Map.of();
    }
    JsonNode pull = pull(call, readOnly);
    JsonNode changed = pull.path("changed_files");
    return Map.of(
        "title", pull.path("title").asString(""),
        "author", pull.path("user").path("login").asString(""),
        "base", pull.path("base").path("ref").asString(""),
        "head", pull.path("head").path("ref").asString(""),
        "changed_files", changed.isNumber() ? changed.numberValue().toString() : "");
  }

  private JsonNode pull(ToolCall call, Credential readOnly) {
    validate(call);
    return github.get(repository(call).path() + "/pulls/" + number(call, "pull_number"), Map.of(), readOnly.secret())
        .body();
  }

  /**
   * A merge interrupted by a crash took effect if the pull request is merged and its head is the
   * approved commit (GitHub merges only that head, as the merge request names it). Anything else
   * (still open, or merged at another head) is not confirmed.
   */
  @Override
  public Optional<ToolResult> outcome(ToolCall call, Credential readOnly) {
    if (!call.tool().equals("merge_pull_request")) {
      return Optional.empty();
    }
    Optional<String> expected = optionalString(call, EXPECTED_HEAD_SHA);
    JsonNode pull = pull(call, readOnly);
    boolean merged = pull.path("merged").asBoolean(false);
    String head = pull.path("head").path("sha").asString("");
    if (!merged || expected.isEmpty() || !expected.get().equals(head)) {
      return Optional.empty();
    }
    return Optional.of(new ToolResult(github.json().createObjectNode()
        .put("merged", true)
        .put("sha", pull.path("merge_commit_sha").asString(""))
        .put("message", "Pull Request successfully merged")));
  }

  @Override
  public ToolResult execute(ToolCall call, Credential credential) {
    validate(call);
    String token = credential.secret();
    return new ToolResult(switch (call.tool()) {
      case "list_issues" -> listIssues(call, token);
      case "get_issue" -> issue(github.get(repository(call).path() + "/issues/" + number(call, "issue_number"),
          Map.of(), token).body(), true);
      case "list_pull_requests" -> listPulls(call, token);
      case "get_pull_request" -> pull(github.get(repository(call).path() + "/pulls/" + number(call, "pull_number"),
          Map.of(), token).body());
      case "get_file_contents" -> contents(call, token);
      case "list_repositories" -> listRepositories(credential, token);
      case "comment_on_issue" -> comment(call, token);
      case "merge_pull_request" -> merge(call, token);
      default -> throw new GatewayException(ErrorCode.UNKNOWN_TOOL, "GitHub offers no tool named " + call.tool() + ".");
    });
  }

  private ToolDescriptor descriptor(ToolCall call) {
    ToolDescriptor descriptor = byName.get(call.tool());
    if (descriptor == null) {
      throw new GatewayException(ErrorCode.UNKNOWN_TOOL, "GitHub offers no tool named " + call.tool() + ".");
    }
    return descriptor;
  }

  private void validate(ToolCall call) {
    ToolDescriptor descriptor = descriptor(call);
    ArgumentSchema.validate(descriptor.name(), descriptor.inputSchema(), call.arguments());
    if (!call.tool().equals("list_repositories")) {
      repository(call);
    }
    Optional<String> expected = optionalString(call, EXPECTED_HEAD_SHA);
    if (expected.isPresent() && !SHA.matcher(expected.get()).matches()) {
      throw new GatewayException(ErrorCode.INVALID_ARGUMENTS,
          "Invalid arguments for " + call.tool() + ": '" + EXPECTED_HEAD_SHA + "' must be a commit SHA.");
    }
  }

  /** owner/repo, checked against GitHub's name rules. */
  record Repository(String owner, String name) {
    String fullName() {
      return owner + "/" + name;
    }

    String path() {
      return "/repos/" + owner + "/" + name;
    }
  }

  private static Repository repository(ToolCall call) {
    String owner = call.arguments().path("owner").asString("");
    String repo = call.arguments().path("repo").asString("");
    if (!call.arguments().path("owner").isString() || !OWNER.matcher(owner).matches()) {
      throw new GatewayException(ErrorCode.INVALID_ARGUMENTS, "Invalid arguments for " + call.tool()
          + ": 'owner' must be a GitHub user or organization name (letters, digits, inner hyphens, at most 39).");
    }
    if (!call.arguments().path("repo").isString() || !REPO.matcher(repo).matches() || repo.equals(".") || repo.equals("..")) {
      throw new GatewayException(ErrorCode.INVALID_ARGUMENTS, "Invalid arguments for " + call.tool()
          + ": 'repo' must be a GitHub repository name (letters, digits, '.', '-', '_', at most 100).");
    }
    return new Repository(owner, repo);
  }

  private static long number(ToolCall call, String name) {
    return call.arguments().path(name).longValue();
  }

  private static Optional<String> optionalString(ToolCall call, String name) {
    JsonNode value = call.arguments().path(name);
    return value.isString() ? Optional.of(value.asString()) : Optional.empty();
  }

  private static int integer(ToolCall call, String name, int fallback) {
    JsonNode value = call.arguments().path(name);
    return value.isIntegralNumber() ? value.intValue() : fallback;
  }

  private ObjectNode listIssues(ToolCall call, String token) {
    Map<String, String> query = new LinkedHashMap<>();
    query.put("state", optionalString(call, "state").orElse("open"));
    optionalString(call, "labels").ifPresent(labels -> query.put("labels", labels));
    query.put("per_page", Integer.toString(integer(call, "per_page", 30)));
    // The issues endpoint returns pull requests too (they carry a "pull_request" key); leave them out.
    GitHubClient.Page page = github.paginate(repository(call).path() + "/issues", query, token,
        integer(call, "max_results", 100), body -> body, item -> !item.has("pull_request"));
    ObjectNode result = github.json().createObjectNode();
    ArrayNode issues = result.putArray("issues");
    page.items().forEach(item -> issues.add(issue(item, false)));
    result.put("count", page.items().size());
    result.put("truncated", page.truncated());
    return result;
  }

  private ObjectNode issue(JsonNode item, boolean withBody) {
    ObjectNode issue = github.json().createObjectNode();
    issue.put("number", item.path("number").asLong());
    issue.put("title", item.path("title").asString(""));
    issue.put("state", item.path("state").asString(""));
    ArrayNode labels = issue.putArray("labels");
    for (JsonNode label : item.path("labels").values()) {
      labels.add(label.isString() ? label.asString() : label.path("name").asString(""));
    }
    issue.put("author", item.path("user").path("login").asString(""));
    issue.put("url", item.path("html_url").asString(""));
    if (withBody) {
      issue.put("body", item.path("body").asString(""));
      issue.put("comments", item.path("comments").asLong());
      issue.put("is_pull_request", item.has("pull_request"));
    }
    return issue;
  }

  private ObjectNode listPulls(ToolCall call, String token) {
    Map<String, String> query = Map.of("state", optionalString(call, "state").orElse("open"), "per_page", "100");
    GitHubClient.Page page = github.paginate(repository(call).path() + "/pulls", query, token, 300,
        body -> body, item -> true);
    ObjectNode result = github.json().createObjectNode();
    ArrayNode pulls = result.putArray("pull_requests");
    int checked = 0;
    for (JsonNode item : page.items()) {
      ObjectNode pull = pulls.addObject();
      pull.put("number", item.path("number").asLong());
      pull.put("title", item.path("title").asString(""));
      pull.put("state", item.path("state").asString(""));
      pull.put("draft", item.path("draft").asBoolean(false));
      pull.put("author", item.path("user").path("login").asString(""));
      pull.put("base_ref", item.path("base").path("ref").asString(""));
      pull.put("head_ref", item.path("head").path("ref").asString(""));
      String head = item.path("head").path("sha").asString("");
      pull.put("head_sha", head);
      pull.put("url", item.path("html_url").asString(""));
      if (!SHA.matcher(head).matches()) {
        pull.set("checks", checks("unavailable", 0, "GitHub returned no head commit for this pull request."));
      } else if (checked++ < MAX_CHECKED_PULLS) {
        pull.set("checks", checks(repository(call), head, token));
      } else {
        pull.set("checks", checks("not_read", 0, "Checks are read for the first " + MAX_CHECKED_PULLS
            + " pull requests of a listing only."));
      }
    }
    result.put("count", page.items().size());
    result.put("truncated", page.truncated());
    return result;
  }

  /**
   * The head commit's checks as GitHub's combined commit status
   * ({@code GET /repos/{owner}/{repo}/commits/{ref}/status}): one request per pull request
   * covering every status context, where check runs would need a second permission
   * ({@code checks: read}) and a paged listing per commit. Check runs that only GitHub Actions
   * or other Checks-API apps report are therefore not seen here. States: success, failure
   * (GitHub folds {@code error} into it), pending, {@code none} when nothing reported a status
   * (GitHub says pending then, which would read as "still running"), or {@code unavailable}
   * when GitHub did not answer; a listing never fails for want of its checks.
   */
  private ObjectNode checks(Repository repository, String sha, String token) {
    JsonNode combined;
    try {
      combined = github.get(repository.path() + "/commits/" + sha + "/status", Map.of("per_page", "100"), token).body();
    } catch (GatewayException e) {
      return checks("unavailable", 0, "GitHub did not return the checks (" + e.code().id() + ").");
    }
    int total = combined.path("total_count").asInt(0);
    if (total == 0) {
      return checks("none", 0, "No checks reported.");
    }
    String state = combined.path("state").asString("pending");
    int passed = 0;
    for (JsonNode status : combined.path("statuses")) {
      if (status.path("state").asString("").equals("success")) {
        passed++;
      }
    }
    ObjectNode checks = checks(state, total, passed + " of " + total + " passed");
    ArrayNode contexts = checks.putArray("contexts");
    for (JsonNode status : combined.path("statuses")) {
      contexts.addObject()
          .put("context", status.path("context").asString(""))
          .put("state", status.path("state").asString(""))
          .put("description", status.path("description").asString(""));
    }
    return checks;
  }

  private ObjectNode checks(String state, int total, String summary) {
    return github.json().createObjectNode().put("state", state).put("total", total).put("summary", summary);
  }

  private ObjectNode pull(JsonNode item) {
    ObjectNode pull = github.json().createObjectNode();
    pull.put("number", item.path("number").asLong());
    pull.put("title", item.path("title").asString(""));
    pull.put("author", item.path("user").path("login").asString(""));
    pull.put("state", item.path("state").asString(""));
    pull.put("merged", item.path("merged").asBoolean(false));
    pull.put("base_ref", item.path("base").path("ref").asString(""));
    pull.put("head_ref", item.path("head").path("ref").asString(""));
    pull.put("head_sha", item.path("head").path("sha").asString(""));
    // null while GitHub is still computing it: say so rather than guess.
    JsonNode mergeable = item.path("mergeable");
    if (mergeable.isBoolean()) {
      pull.put("mergeable", mergeable.asBoolean());
    } else {
      pull.putNull("mergeable");
    }
    pull.put("mergeable_state", item.path("mergeable_state").asString("unknown"));
    pull.put("changed_files", item.path("changed_files").asLong());
    pull.put("additions", item.path("additions").asLong());
    pull.put("deletions", item.path("deletions").asLong());
    pull.put("url", item.path("html_url").asString(""));
    return pull;
  }

  private static String headSha(JsonNode pull) {
    String sha = pull.path("head").path("sha").asString("");
    if (sha.isEmpty()) {
      throw new GatewayException(ErrorCode.PROVIDER_FAILED, "GitHub returned a pull request without a head commit.");
    }
    return sha;
  }

  private ObjectNode contents(ToolCall call, String token) {
    String path = optionalString(call, "path").orElse("/");
    String trimmed = path.replaceAll("^/+", "").replaceAll("/+$", "");
    if (List.of(trimmed.split("/")).contains("..")) {
      throw new GatewayException(ErrorCode.INVALID_ARGUMENTS, "Invalid arguments for get_file_contents: 'path' must not contain '..'.");
    }
    Map<String, String> query = optionalString(call, "ref").map(ref -> Map.of("ref", ref)).orElse(Map.of());
    // The root is "/contents/" (operation repos/get-content with an empty path), as GitHub's clients send it.
    String target = repository(call).path() + "/contents/" + GitHubClient.segment(trimmed, true);
    JsonNode body = github.get(target, query, token).body();
    ObjectNode result = github.json().createObjectNode();
    if (body.isArray()) {
      result.put("type", "dir");
      result.put("path", trimmed);
      ArrayNode entries = result.putArray("entries");
      for (JsonNode entry : body.values()) {
        entries.addObject()
            .put("name", entry.path("name").asString(""))
            .put("path", entry.path("path").asString(""))
            .put("type", entry.path("type").asString(""))
            .put("size", entry.path("size").asLong());
      }
      return result;
    }
    String type = body.path("type").asString("");
    result.put("type", type);
    result.put("path", body.path("path").asString(trimmed));
    result.put("sha", body.path("sha").asString(""));
    result.put("size", body.path("size").asLong());
    if (!type.equals("file")) {
      body.optional("target").ifPresent(t -> result.put("target", t.asString("")));
      body.optional("submodule_git_url").ifPresent(u -> result.put("submodule_git_url", u.asString("")));
      return result;
    }
    if (!body.path("encoding").asString("").equals("base64")) {
      // Files over 1 MB come without content (encoding "none"); the engine does not fetch blobs.
      result.put("text_available", false);
      result.put("reason", "GitHub sends no inline content for files larger than 1 MB.");
      return result;
    }
    byte[] bytes = Base64.getMimeDecoder().decode(body.path("content").asString(""));
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
      result.put("text_available", true);
      result.put("text", text);
    } catch (CharacterCodingException e) {
      result.put("text_available", false);
      result.put("reason", "The file is not UTF-8 text.");
    }
    return result;
  }

  private ObjectNode listRepositories(Credential credential, String token) {
    // A narrowed credential is an installation token: it lists what the installation can see.
    // A broad one is a personal access token: it lists what its user can see.
    boolean installation = !credential.broad();
    GitHubClient.Page page = installation
        ? github.paginate("/installation/repositories", Map.of("per_page", "100"), token, 500,
            body -> body.path("repositories"), item -> true)
        : github.paginate("/user/repos", Map.of("per_page", "100"), token, 500, body -> body, item -> true);
    ObjectNode result = github.json().createObjectNode();
    ArrayNode repositories = result.putArray("repositories");
    for (JsonNode item : page.items()) {
      repositories.addObject()
          .put("full_name", item.path("full_name").asString(""))
          .put("private", item.path("private").asBoolean(false))
          .put("default_branch", item.path("default_branch").asString(""))
          .put("url", item.path("html_url").asString(""));
    }
    result.put("count", page.items().size());
    result.put("truncated", page.truncated());
    return result;
  }

  private ObjectNode comment(ToolCall call, String token) {
    ObjectNode body = github.json().createObjectNode().put("body", optionalString(call, "body").orElse(""));
    JsonNode created = github.post(repository(call).path() + "/issues/" + number(call, "issue_number") + "/comments",
        body, token).body();
    return github.json().createObjectNode()
        .put("id", created.path("id").asLong())
        .put("url", created.path("html_url").asString(""));
  }

  private ObjectNode merge(ToolCall call, String token) {
    Repository repo = repository(call);
    String pullPath = repo.path() + "/pulls/" + number(call, "pull_number");
    String current = headSha(github.get(pullPath, Map.of(), token).body());
    Optional<String> expected = optionalString(call, EXPECTED_HEAD_SHA);
    if (expected.isPresent() && !expected.get().equals(current)) {
      throw new GatewayException(ErrorCode.PRECONDITION_FAILED, "The pull request's head moved from "
          + expected.get() + " to " + current + " after approval; ask for a new approval.",
          Map.of("approved_head_sha", expected.get(), "current_head_sha", current));
    }
    ObjectNode body = github.json().createObjectNode();
    body.put("merge_method", optionalString(call, "merge_method").orElse("merge"));
    optionalString(call, "commit_title").ifPresent(title -> body.put("commit_title", title));
    // GitHub refuses with 409 when the head is no longer this commit: the approval's SHA when
    // there is one, else the one just read (which closes the gap between reading and merging).
    body.put("sha", expected.orElse(current));
    JsonNode merged;
    try {
      merged = github.put(pullPath + "/merge", body, token).body();
    } catch (GatewayException e) {
      if (e.code() == ErrorCode.PRECONDITION_FAILED) {
        throw new GatewayException(ErrorCode.PRECONDITION_FAILED, "GitHub refused the merge because the pull "
            + "request's head is no longer " + expected.orElse(current) + "; ask for a new approval.", e.details(), e);
      }
      if (e.code() == ErrorCode.NOT_MERGEABLE) {
        throw new GatewayException(ErrorCode.NOT_MERGEABLE, "GitHub cannot merge pull request #"
            + number(call, "pull_number") + " in " + repo.fullName()
            + " (conflicts, failing required checks or reviews, or already closed).", e.details(), e);
      }
      throw e;
    }
    return github.json().createObjectNode()
        .put("merged", merged.path("merged").asBoolean(false))
        .put("sha", merged.path("sha").asString(""))
        .put("message", merged.path("message").asString(""));
  }
}
