package dev.authoraization.sandbox;

import dev.authoraization.sandbox.SandboxAccess.Credential;
import dev.authoraization.sandbox.SandboxStore.Issue;
import dev.authoraization.sandbox.SandboxStore.Page;
import dev.authoraization.sandbox.SandboxStore.Repo;
import jakarta.servlet.http.HttpServletRequest;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import org.springframework.web.util.UriComponentsBuilder;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sandbox's GitHub REST endpoints under {@code /sandbox/github}: only the operations the
 * engine uses, in the request and response shapes of GitHub's published description. Access is
 * checked before each handler by {@link SandboxAuthInterceptor} from its {@link SandboxAccess}.
 *
 * <p>Responses are serialized here with a private mapper, so the application's JSON settings
 * (such as leaving out nulls) cannot drop fields GitHub's description requires.
 *
 * @see <a href="https://docs.github.com/en/rest">GitHub REST API</a>
 */
@RestController
@RequestMapping(SandboxController.BASE)
@ConditionalOnProperty(name = "engine.sandbox.enabled", havingValue = "true", matchIfMissing = true)
class SandboxController {

  static final String BASE = "/sandbox/github";
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SandboxController.class);
  private static final String JSON = "application/json; charset=utf-8";
  private static final String PULLS_DOCS = "https://docs.github.com/rest/pulls/pulls#merge-a-pull-request";

  private final SandboxStore store;
  private final SandboxGit git;
  private final SandboxTokens tokens;
  private final JsonMapper mapper = JsonMapper.builder().build();

  SandboxController(SandboxStore store, SandboxGit git, SandboxTokens tokens) {
    this.store = store;
    this.git = git;
    this.tokens = tokens;
  }

  // --- repositories -------------------------------------------------------------------------

  /** repos/get. */
  @GetMapping("/repos/{owner}/{repo}")
  @SandboxAccess
  ResponseEntity<byte[]> repository(HttpServletRequest request) {
    Repo repo = repo(request);
    return json(200, json(request).repository(repo, openIssues(repo), true));
  }

  /**
   * repos/get-content: a file (base64) or a directory listing, at {@code ref} or the default
   * branch; with {@code Accept: application/vnd.github.raw(+json)} a file's bytes as they are.
   */
  @GetMapping({"/repos/{owner}/{repo}/contents", "/repos/{owner}/{repo}/contents/{*path}"})
  @SandboxAccess(anyOf = "contents")
  ResponseEntity<byte[]> contents(HttpServletRequest request, @PathVariable(required = false) @Nullable String path,
      @RequestParam(required = false) @Nullable String ref) {
    Repo repo = repo(request);
    String at = ref == null || ref.isBlank() ? repo.defaultBranch() : ref;
    SandboxGit.Content content = git.content(repo.owner(), repo.name(), at, path == null ? "" : path)
        .orElseThrow(SandboxError::notFound);
    GitHubJson out = json(request);
    String accept = request.getHeader(HttpHeaders.ACCEPT);
    if (content instanceof SandboxGit.File file && accept != null && accept.contains("application/vnd.github.raw")) {
      // GitHub's raw media type (documented in prose, not in the OpenAPI description): the bytes themselves
      return ResponseEntity.status(200).header(HttpHeaders.CONTENT_TYPE, "application/vnd.github.raw; charset=utf-8")
          .header(HttpHeaders.ETAG, "\"" + file.sha() + "\"").body(file.bytes());
    }
    return switch (content) {
      case SandboxGit.File file -> json(200, out.file(repo, file, at));
      case SandboxGit.Directory dir -> json(200, out.directory(repo, dir, at));
    };
  }

  // --- issues -------------------------------------------------------------------------------

  /** issues/list-for-repo: pull requests included (with a {@code pull_request} key), newest first. */
  @GetMapping("/repos/{owner}/{repo}/issues")
  @SandboxAccess(anyOf = "issues")
  ResponseEntity<byte[]> issues(HttpServletRequest request,
      @RequestParam(defaultValue = "open") String state,
      @RequestParam(required = false) @Nullable String labels,
      @RequestParam(name = "per_page", required = false) @Nullable String perPage,
      @RequestParam(required = false) @Nullable String page) {
    Repo repo = repo(request);
    requireState(state);
    List<String> labelNames = labels == null || labels.isBlank() ? List.of()
        : Arrays.stream(labels.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    int size = clampPerPage(number(perPage, 30));
    int p = Math.max(number(page, 1), 1);
    Page<Issue> rows = store.issues(repo.id(), state, labelNames, false, size, p);
    GitHubJson out = json(request);
    List<Map<String, Object>> body = rows.items().stream()
        .map(i -> out.issue(repo, i, store.labels(i.id()), store.commentCount(i.id()))).toList();
    return paged(request, body, rows.total(), size, p);
  }

  /** issues/get: an issue, or a pull request seen as an issue. */
  @GetMapping("/repos/{owner}/{repo}/issues/{number}")
  @SandboxAccess(anyOf = {"issues", "pull_requests"})
  ResponseEntity<byte[]> issue(HttpServletRequest request, @PathVariable String number) {
    Repo repo = repo(request);
    Issue issue = issue(repo, number);
    return json(200, json(request).issue(repo, issue, store.labels(issue.id()), store.commentCount(issue.id())));
  }

  /** issues/create-comment: 201 with a {@code Location} header. */
  @PostMapping("/repos/{owner}/{repo}/issues/{number}/comments")
  @SandboxAccess(anyOf = {"issues", "pull_requests"}, level = "write")
  ResponseEntity<byte[]> comment(HttpServletRequest request, @PathVariable String number,
      @RequestBody(required = false) byte @Nullable [] body) {
    Repo repo = repo(request);
    Issue issue = issue(repo, number);
    JsonNode json = parse(body);
    JsonNode text = json.get("body");
    if (text == null || !text.isString()) {
      throw validation("IssueComment", "body", "missing_field");
    }
    SandboxStore.Comment comment = store.addComment(issue.id(), actor(request), text.asString());
    Map<String, Object> out = json(request).comment(repo, issue, comment);
    return created(out);
  }

  // --- pull requests ------------------------------------------------------------------------

  /** pulls/list. */
  @GetMapping("/repos/{owner}/{repo}/pulls")
  @SandboxAccess(anyOf = "pull_requests")
  ResponseEntity<byte[]> pulls(HttpServletRequest request,
      @RequestParam(defaultValue = "open") String state,
      @RequestParam(name = "per_page", required = false) @Nullable String perPage,
      @RequestParam(required = false) @Nullable String page) {
    Repo repo = repo(request);
    requireState(state);
    int size = clampPerPage(number(perPage, 30));
    int p = Math.max(number(page, 1), 1);
    Page<Issue> rows = store.issues(repo.id(), state, List.of(), true, size, p);
    GitHubJson out = json(request);
    int open = openIssues(repo);
    List<Map<String, Object>> body = new ArrayList<>();
    for (Issue pr : rows.items()) {
      body.add(out.pull(repo, pr, store.labels(pr.id()), open, 0,
          git.inspect(repo.owner(), repo.name(), pr.baseRef(), pr.headRef()), false));
    }
    return paged(request, body, rows.total(), size, p);
  }

  /** pulls/get: head and base from Git, {@code mergeable} by trying the merge in memory. */
  @GetMapping("/repos/{owner}/{repo}/pulls/{number}")
  @SandboxAccess(anyOf = "pull_requests")
  ResponseEntity<byte[]> pull(HttpServletRequest request, @PathVariable String number) {
    Repo repo = repo(request);
    Issue pr = pull(repo, number);
    return json(200, json(request).pull(repo, pr, store.labels(pr.id()), openIssues(repo),
        store.commentCount(pr.id()), git.inspect(repo.owner(), repo.name(), pr.baseRef(), pr.headRef()), true));
  }

  /**
   * pulls/merge: a real merge into the base branch. GitHub documents that this needs the
   * {@code contents: write} permission (the commit lands on a branch), not {@code pull_requests}.
   */
  @PutMapping("/repos/{owner}/{repo}/pulls/{number}/merge")
  @SandboxAccess(anyOf = "contents", level = "write")
  ResponseEntity<byte[]> merge(HttpServletRequest request, @PathVariable String number,
      @RequestBody(required = false) byte @Nullable [] body) {
    Repo repo = repo(request);
    JsonNode json = parse(body);
    String method = text(json, "merge_method").orElse("merge");
    SandboxGit.MergeMethod mergeMethod = switch (method) {
      case "merge" -> SandboxGit.MergeMethod.MERGE;
      case "squash" -> SandboxGit.MergeMethod.SQUASH;
      case "rebase" -> SandboxGit.MergeMethod.REBASE;
      default -> throw new SandboxError(422, "Invalid request.\n\nNo subschema in \"anyOf\" matched.\n"
          + "\"" + method + "\" is not a member of [\"merge\", \"squash\", \"rebase\"].", PULLS_DOCS);
    };
    String sha = text(json, "sha").orElse(null);
    // One merge of a repository at a time: the open check, the Git merge and the row update
    // must not interleave with another merge of the same pull request.
    synchronized (git.lock(repo.owner(), repo.name())) {
      Issue pr = pull(repo, number);
      if (!pr.state().equals("open")) {
        throw new SandboxError(405, "Pull Request is not mergeable", PULLS_DOCS);
      }
      String title = text(json, "commit_title").orElse(switch (mergeMethod) {
        case MERGE -> "Merge pull request #" + pr.number() + " from " + repo.owner() + "/" + pr.headRef();
        case SQUASH -> pr.title() + " (#" + pr.number() + ")";
        case REBASE -> "";
      });
      String message = text(json, "commit_message").orElse(mergeMethod == SandboxGit.MergeMethod.MERGE ? pr.title() : "");
      String merged = git.merge(repo.owner(), repo.name(), pr.baseRef(), pr.headRef(), sha, mergeMethod, title, message);
      store.markMerged(pr.id(), merged, actor(request));
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("sha", merged);
      out.put("merged", true);
      out.put("message", "Pull Request successfully merged");
      return json(200, out);
    }
  }

  // --- commit statuses ------------------------------------------------------------------------

  private static final String STATUSES_DOCS = "https://docs.github.com/rest/commits/statuses";
  private static final List<String> STATUS_STATES = List.of("error", "failure", "pending", "success");

  /**
   * repos/create-commit-status: 201 with a {@code Location} header. GitHub Apps need
   * {@code statuses: write} (Commit statuses).
   */
  @PostMapping("/repos/{owner}/{repo}/statuses/{sha}")
  @SandboxAccess(anyOf = "statuses", level = "write")
  ResponseEntity<byte[]> createStatus(HttpServletRequest request, @PathVariable String sha,
      @RequestBody(required = false) byte @Nullable [] body) {
    Repo repo = repo(request);
    JsonNode json = parse(body);
    String state = text(json, "state").orElseThrow(() -> validation("Status", "state", "missing_field"));
    if (!STATUS_STATES.contains(state)) {
      throw validation("Status", "state", "invalid");
    }
    String context = text(json, "context").filter(c -> !c.isBlank()).orElse("default");
    String description = text(json, "description").orElse(null);
    String targetUrl = text(json, "target_url").filter(u -> !u.isEmpty()).orElse(null);
    if (context.length() > 255) {
      throw validation("Status", "context", "invalid");
    }
    if (description != null && description.length() > 1000) {
      throw validation("Status", "description", "invalid");
    }
    if (targetUrl != null && !isWebUrl(targetUrl)) {
      throw validation("Status", "target_url", "invalid");
    }
    String commit = git.commit(repo.owner(), repo.name(), sha).filter(sha::equals)
        .orElseThrow(() -> new SandboxError(422, "No commit found for SHA: " + sha, STATUSES_DOCS));
    SandboxStore.CommitStatus created = store.addStatus(repo.id(), commit, state, context, description, targetUrl,
        actor(request));
    Map<String, Object> out = json(request).status(repo, created, true);
    return created(out);
  }

  /**
   * repos/get-combined-status-for-ref: the newest status of each context of the commit a SHA,
   * branch or tag names. GitHub Apps need {@code statuses: read}.
   */
  @GetMapping("/repos/{owner}/{repo}/commits/{ref}/status")
  @SandboxAccess(anyOf = "statuses")
  ResponseEntity<byte[]> combinedStatus(HttpServletRequest request, @PathVariable String ref) {
    Repo repo = repo(request);
    String sha = git.commit(repo.owner(), repo.name(), ref).orElseThrow(SandboxError::notFound);
    return json(200, json(request).combinedStatus(repo, sha, store.latestStatuses(repo.id(), sha), openIssues(repo)));
  }

  private static boolean isWebUrl(String value) {
    try {
      java.net.URI uri = new java.net.URI(value);
      return uri.isAbsolute() && uri.getHost() != null
          && (uri.getScheme().equalsIgnoreCase("https") || uri.getScheme().equalsIgnoreCase("http"));
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  // --- GitHub App -----------------------------------------------------------------------------

  /** apps/get-authenticated: the App behind the JWT (clients such as github-api start here). */
  @GetMapping("/app")
  @SandboxAccess(Credential.APP_JWT)
  ResponseEntity<byte[]> app(HttpServletRequest request) {
    return json(200, json(request).app(SandboxTokens.INSTALLATION_PERMISSIONS));
  }

  /** apps/get-installation: the one installation, id 1. */
  @GetMapping("/app/installations/{installationId}")
  @SandboxAccess(Credential.APP_JWT)
  ResponseEntity<byte[]> installation(HttpServletRequest request, @PathVariable String installationId) {
    if (!installationId.equals(String.valueOf(SandboxApp.INSTALLATION_ID))) {
      throw SandboxError.notFound();
    }
    return json(200, json(request).installation(SandboxTokens.INSTALLATION_PERMISSIONS));
  }

  /** apps/get-repo-installation: needs an App JWT, as on GitHub. */
  @GetMapping("/repos/{owner}/{repo}/installation")
  @SandboxAccess(Credential.APP_JWT)
  ResponseEntity<byte[]> repoInstallation(HttpServletRequest request, @PathVariable String owner,
      @PathVariable String repo) {
    store.repository(owner, repo).orElseThrow(SandboxError::notFound);
    return json(200, json(request).installation(SandboxTokens.INSTALLATION_PERMISSIONS));
  }

  /**
   * apps/create-installation-access-token: an App JWT buys a token narrowed to repositories and
   * permissions the installation has; asking for more is refused with 422, as GitHub does.
   */
  @PostMapping("/app/installations/{installationId}/access_tokens")
  @SandboxAccess(Credential.APP_JWT)
  ResponseEntity<byte[]> createToken(HttpServletRequest request, @PathVariable String installationId,
      @RequestBody(required = false) byte @Nullable [] body) {
    if (!installationId.equals(String.valueOf(SandboxApp.INSTALLATION_ID))) {
      throw SandboxError.notFound();
    }
    JsonNode json = parse(body);
    Set<Long> ids = new LinkedHashSet<>();
    boolean selected = false;
    JsonNode names = json.get("repositories");
    if (names != null && !names.isNull()) {
      if (!names.isArray()) {
        throw validation("InstallationToken", "repositories", "invalid");
      }
      selected = true;
      for (JsonNode n : names) {
        String name = n.isString() ? n.asString() : "";
        // Repository names are relative to the installation's account; GitHub also accepts owner/name.
        String bare = name.startsWith(SandboxApp.OWNER + "/") ? name.substring(SandboxApp.OWNER.length() + 1) : name;
        ids.add(store.repository(SandboxApp.OWNER, bare)
            .orElseThrow(() -> new SandboxError(422, "There is at least one repository that does not exist or is not accessible to the parent installation.",
                "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app"))
            .id());
      }
    }
    JsonNode repoIds = json.get("repository_ids");
    if (repoIds != null && !repoIds.isNull()) {
      if (!repoIds.isArray()) {
        throw validation("InstallationToken", "repository_ids", "invalid");
      }
      selected = true;
      for (JsonNode n : repoIds) {
        long id = n.canConvertToLong() ? n.asLong() : -1;
        Repo repo = store.repository(id).filter(r -> r.owner().equals(SandboxApp.OWNER))
            .orElseThrow(() -> new SandboxError(422, "There is at least one repository that does not exist or is not accessible to the parent installation.",
                "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app"));
        ids.add(repo.id());
      }
    }
    Map<String, String> permissions = new LinkedHashMap<>(SandboxTokens.INSTALLATION_PERMISSIONS);
    JsonNode asked = json.get("permissions");
    if (asked != null && !asked.isNull()) {
      if (!asked.isObject()) {
        throw validation("InstallationToken", "permissions", "invalid");
      }
      permissions.clear();
      for (Map.Entry<String, JsonNode> p : asked.properties()) {
        String level = p.getValue().isString() ? p.getValue().asString() : "";
        if (!level.equals("read") && !level.equals("write")) {
          throw new SandboxError(422, "The permissions requested are not valid: " + p.getKey(),
              "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app");
        }
        String granted = SandboxTokens.INSTALLATION_PERMISSIONS.get(p.getKey());
        if (granted == null || (level.equals("write") && !granted.equals("write"))) {
          throw new SandboxError(422, "The permissions requested are not granted to this installation.",
              "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app");
        }
        permissions.put(p.getKey(), level);
      }
    }
    SandboxTokens.Minted minted = tokens.mint(!selected, ids, permissions);
    GitHubJson out = json(request);
    Map<String, Object> response = new LinkedHashMap<>();
    response.put("token", minted.token());
    response.put("expires_at", DateTimeFormatter.ISO_INSTANT.format(minted.grant().expiresAt()));
    response.put("permissions", new LinkedHashMap<>(minted.grant().permissions()));
    response.put("repository_selection", selected ? "selected" : "all");
    if (selected) {
      List<Map<String, Object>> repos = new ArrayList<>();
      for (long id : ids) {
        store.repository(id).ifPresent(r -> repos.add(out.repository(r, openIssues(r), false)));
      }
      response.put("repositories", repos);
    }
    return json(201, response);
  }

  /** apps/list-repos-accessible-to-installation: the repositories this token covers. */
  @GetMapping("/installation/repositories")
  @SandboxAccess
  ResponseEntity<byte[]> installationRepositories(HttpServletRequest request,
      @RequestParam(name = "per_page", required = false) @Nullable String perPage,
      @RequestParam(required = false) @Nullable String page) {
    SandboxTokens.Grant grant = (SandboxTokens.Grant) request.getAttribute(SandboxAuthInterceptor.GRANT);
    List<Repo> covered = store.repositories().stream().filter(r -> grant.covers(r.id())).toList();
    int size = clampPerPage(number(perPage, 30));
    int p = Math.max(number(page, 1), 1);
    GitHubJson out = json(request);
    List<Map<String, Object>> repos = covered.stream().skip((long) (p - 1) * size).limit(size)
        .map(r -> out.repository(r, openIssues(r), false)).toList();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("total_count", covered.size());
    body.put("repository_selection", grant.allRepositories() ? "all" : "selected");
    body.put("repositories", repos);
    ResponseEntity.BodyBuilder response = ResponseEntity.status(200).header(HttpHeaders.CONTENT_TYPE, JSON);
    link(request, covered.size(), size, p).ifPresent(l -> response.header(HttpHeaders.LINK, l));
    return response.body(write(body));
  }

  /** apps/revoke-installation-access-token: 204; the token is dead from now on. */
  @DeleteMapping("/installation/token")
  @SandboxAccess
  ResponseEntity<Void> revoke(HttpServletRequest request) {
    SandboxTokens.Grant grant = (SandboxTokens.Grant) request.getAttribute(SandboxAuthInterceptor.GRANT);
    if (!grant.personal()) {
      tokens.revoke((String) request.getAttribute(SandboxAuthInterceptor.TOKEN));
    }
    return ResponseEntity.noContent().build();
  }

  // --- errors ---------------------------------------------------------------------------------

  /**
   * Anything else under the API base is answered as GitHub answers an unknown route, here
   * rather than through the servlet error page, which belongs to the engine's own security chain.
   */
  @RequestMapping("/**")
  ResponseEntity<byte[]> unknownRoute() {
    throw SandboxError.notFound();
  }

  @ExceptionHandler(SandboxError.class)
  ResponseEntity<byte[]> error(SandboxError error) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("message", error.getMessage());
    body.put("documentation_url", error.documentationUrl());
    return json(error.status(), body);
  }

  /**
   * Anything unexpected is a GitHub-style 500; the detail goes to the log, not to the client.
   */
  @ExceptionHandler(Exception.class)
  ResponseEntity<byte[]> unexpected(Exception error) {
    log.warn("Sandbox request failed", error);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("message", "Server Error");
    body.put("documentation_url", SandboxError.DOCS);
    return json(500, body);
  }

  // --- helpers --------------------------------------------------------------------------------

  private static Repo repo(HttpServletRequest request) {
    return (Repo) request.getAttribute(SandboxAuthInterceptor.REPO);
  }

  private static GitHubJson json(HttpServletRequest request) {
    String root = ServletUriComponentsBuilder.fromContextPath(request).build().toUriString();
    return new GitHubJson(root + BASE, root + "/sandbox");
  }

  private Issue issue(Repo repo, String number) {
    int n;
    try {
      n = Integer.parseInt(number);
    } catch (NumberFormatException e) {
      throw SandboxError.notFound();
    }
    return store.issue(repo.id(), n).orElseThrow(SandboxError::notFound);
  }

  private Issue pull(Repo repo, String number) {
    Issue issue = issue(repo, number);
    if (!issue.pullRequest()) {
      throw SandboxError.notFound();
    }
    return issue;
  }

  private int openIssues(Repo repo) {
    return store.issues(repo.id(), "open", List.of(), false, 1, 1).total();
  }

  /** Installation tokens act as the App's bot user; the personal token as the sandbox admin. */
  private static String actor(HttpServletRequest request) {
    SandboxTokens.Grant grant = (SandboxTokens.Grant) request.getAttribute(SandboxAuthInterceptor.GRANT);
    return grant != null && grant.personal() ? GitHubJson.ADMIN_LOGIN : GitHubJson.BOT_LOGIN;
  }

  private static void requireState(String state) {
    if (!List.of("open", "closed", "all").contains(state)) {
      throw validation("Issue", "state", "invalid");
    }
  }

  /** GitHub ignores paging parameters it cannot read and uses the defaults. */
  private static int number(@Nullable String value, int fallback) {
    try {
      return value == null ? fallback : Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static int clampPerPage(int perPage) {
    return Math.max(1, Math.min(perPage, 100));
  }

  private static SandboxError validation(String resource, String field, String code) {
    // GitHub's validation-error shape needs only message and documentation_url; the field is named in the message.
    return new SandboxError(422, "Validation Failed: " + resource + "." + field + " " + code,
        "https://docs.github.com/rest");
  }

  private JsonNode parse(byte @Nullable [] body) {
    if (body == null || body.length == 0) {
      return mapper.createObjectNode();
    }
    try {
      JsonNode node = mapper.readTree(body);
      if (node == null || !node.isObject()) {
        throw new SandboxError(400, "Problems parsing JSON");
      }
      return node;
    } catch (JacksonException e) {
      throw new SandboxError(400, "Problems parsing JSON");
    }
  }

  private static java.util.Optional<String> text(JsonNode json, String field) {
    JsonNode node = json.get(field);
    return node != null && node.isString() ? java.util.Optional.of(node.asString()) : java.util.Optional.empty();
  }

  private ResponseEntity<byte[]> paged(HttpServletRequest request, List<Map<String, Object>> body, int total,
      int perPage, int page) {
    ResponseEntity.BodyBuilder response = ResponseEntity.status(200).header(HttpHeaders.CONTENT_TYPE, JSON);
    link(request, total, perPage, page).ifPresent(l -> response.header(HttpHeaders.LINK, l));
    return response.body(write(body));
  }

  /** RFC 8288 {@code Link} header with GitHub's relations: prev, next, last, first. */
  private static java.util.Optional<String> link(HttpServletRequest request, int total, int perPage, int page) {
    int last = Math.max(1, (total + perPage - 1) / perPage);
    if (last == 1 && page == 1) {
      return java.util.Optional.empty();
    }
    UriComponentsBuilder self = ServletUriComponentsBuilder.fromRequest(request).replaceQueryParam("per_page", perPage);
    List<String> links = new ArrayList<>();
    if (page > 1) {
      links.add("<" + self.cloneBuilder().replaceQueryParam("page", Math.min(page - 1, last)).build().toUriString() + ">; rel=\"prev\"");
    }
    if (page < last) {
      links.add("<" + self.cloneBuilder().replaceQueryParam("page", page + 1).build().toUriString() + ">; rel=\"next\"");
      links.add("<" + self.cloneBuilder().replaceQueryParam("page", last).build().toUriString() + ">; rel=\"last\"");
    }
    if (page > 1) {
      links.add("<" + self.cloneBuilder().replaceQueryParam("page", 1).build().toUriString() + ">; rel=\"first\"");
    }
    return links.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(String.join(", ", links));
  }

  private ResponseEntity<byte[]> json(int status, Object body) {
    return ResponseEntity.status(status).header(HttpHeaders.CONTENT_TYPE, JSON).body(write(body));
  }

  private byte[] write(Object body) {
    return mapper.writeValueAsBytes(body);
  }

  /** 201 with the new resource as GitHub answers it: its JSON, and its API URL as Location. */
  private ResponseEntity<byte[]> created(Map<String, Object> resource) {
    return ResponseEntity.status(201)
        .header(HttpHeaders.CONTENT_TYPE, JSON)
        .header(HttpHeaders.LOCATION, (String) resource.get("url"))
        .body(write(resource));
  }
}
