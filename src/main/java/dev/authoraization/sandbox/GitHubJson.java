package dev.authoraization.sandbox;

import dev.authoraization.sandbox.SandboxStore.Comment;
import dev.authoraization.sandbox.SandboxStore.Issue;
import dev.authoraization.sandbox.SandboxStore.Label;
import dev.authoraization.sandbox.SandboxStore.Repo;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Renders sandbox rows in the shapes of GitHub's REST API description ({@code @octokit/openapi}
 * 23.0.2: {@code full-repository}, {@code repository}, {@code issue}, {@code pull-request},
 * {@code pull-request-simple}, {@code issue-comment}, {@code installation}, {@code content-file}),
 * with every field the description marks required, {@code null} where it allows null.
 *
 * @param api the API base URL, e.g. {@code http://localhost:8080/sandbox/github}
 * @param web the base of {@code html_url}s (the sandbox serves no HTML; they are identifiers)
 */
record GitHubJson(String api, String web) {

  static final String BOT_LOGIN = SandboxApp.APP_SLUG + "[bot]";
  static final String ADMIN_LOGIN = "sandbox-admin";

  private static final Map<String, Long> USER_IDS = Map.of(
      SandboxApp.OWNER, 1L, "alice", 2L, "bob", 3L, "carol", 4L, ADMIN_LOGIN, 5L, BOT_LOGIN, 100L);

  static long userId(String login) {
    return USER_IDS.getOrDefault(login, 1000L + Math.floorMod(login.hashCode(), 100_000));
  }

  static @Nullable String time(@Nullable OffsetDateTime t) {
    return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t.toInstant());
  }

  private static String nodeId(String type, long id) {
    return Base64.getEncoder().encodeToString(("0" + type.length() + ":" + type + id).getBytes(StandardCharsets.UTF_8));
  }

  Map<String, Object> user(String login) {
    String type = login.equals(SandboxApp.OWNER) ? "Organization" : login.endsWith("[bot]") ? "Bot" : "User";
    long id = userId(login);
    // Bot logins end in "[bot]"; GitHub percent-encodes the brackets in URLs.
    String path = login.replace("[", "%5B").replace("]", "%5D");
    String u = api + "/users/" + path;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("login", login);
    m.put("id", id);
    m.put("node_id", nodeId(type, id));
    m.put("avatar_url", web + "/avatars/" + id);
    m.put("gravatar_id", "");
    m.put("url", u);
    m.put("html_url", type.equals("Bot") ? web + "/apps/" + login.replace("[bot]", "") : web + "/" + path);
    m.put("followers_url", u + "/followers");
    m.put("following_url", u + "/following{/other_user}");
    m.put("gists_url", u + "/gists{/gist_id}");
    m.put("starred_url", u + "/starred{/owner}{/repo}");
    m.put("subscriptions_url", u + "/subscriptions");
    m.put("organizations_url", u + "/orgs");
    m.put("repos_url", u + "/repos");
    m.put("events_url", u + "/events{/privacy}");
    m.put("received_events_url", u + "/received_events");
    m.put("type", type);
    m.put("user_view_type", "public");
    m.put("site_admin", false);
    return m;
  }

  /** Serves both {@code full-repository} (repos/get) and {@code repository} (nested, lists). */
  Map<String, Object> repository(Repo repo, int openIssues, boolean full) {
    String r = api + "/repos/" + repo.fullName();
    String html = web + "/" + repo.fullName();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", repo.id());
    m.put("node_id", nodeId("Repository", repo.id()));
    m.put("name", repo.name());
    m.put("full_name", repo.fullName());
    m.put("private", false);
    m.put("owner", user(repo.owner()));
    m.put("html_url", html);
    m.put("description", repo.description());
    m.put("fork", false);
    m.put("url", r);
    m.put("archive_url", r + "/{archive_format}{/ref}");
    m.put("assignees_url", r + "/assignees{/user}");
    m.put("blobs_url", r + "/git/blobs{/sha}");
    m.put("branches_url", r + "/branches{/branch}");
    m.put("collaborators_url", r + "/collaborators{/collaborator}");
    m.put("comments_url", r + "/comments{/number}");
    m.put("commits_url", r + "/commits{/sha}");
    m.put("compare_url", r + "/compare/{base}...{head}");
    m.put("contents_url", r + "/contents/{+path}");
    m.put("contributors_url", r + "/contributors");
    m.put("deployments_url", r + "/deployments");
    m.put("downloads_url", r + "/downloads");
    m.put("events_url", r + "/events");
    m.put("forks_url", r + "/forks");
    m.put("git_commits_url", r + "/git/commits{/sha}");
    m.put("git_refs_url", r + "/git/refs{/sha}");
    m.put("git_tags_url", r + "/git/tags{/sha}");
    m.put("git_url", html + ".git");
    m.put("issue_comment_url", r + "/issues/comments{/number}");
    m.put("issue_events_url", r + "/issues/events{/number}");
    m.put("issues_url", r + "/issues{/number}");
    m.put("keys_url", r + "/keys{/key_id}");
    m.put("labels_url", r + "/labels{/name}");
    m.put("languages_url", r + "/languages");
    m.put("merges_url", r + "/merges");
    m.put("milestones_url", r + "/milestones{/number}");
    m.put("notifications_url", r + "/notifications{?since,all,participating}");
    m.put("pulls_url", r + "/pulls{/number}");
    m.put("releases_url", r + "/releases{/id}");
    m.put("ssh_url", "git@sandbox.invalid:" + repo.fullName() + ".git");
    m.put("stargazers_url", r + "/stargazers");
    m.put("statuses_url", r + "/statuses/{sha}");
    m.put("subscribers_url", r + "/subscribers");
    m.put("subscription_url", r + "/subscription");
    m.put("tags_url", r + "/tags");
    m.put("teams_url", r + "/teams");
    m.put("trees_url", r + "/git/trees{/sha}");
    m.put("clone_url", html + ".git");
    m.put("mirror_url", null);
    m.put("hooks_url", r + "/hooks");
    m.put("svn_url", html);
    m.put("homepage", null);
    m.put("language", "JavaScript");
    m.put("forks_count", 0);
    m.put("stargazers_count", 0);
    m.put("watchers_count", 0);
    m.put("size", 1);
    m.put("default_branch", repo.defaultBranch());
    m.put("open_issues_count", openIssues);
    m.put("is_template", false);
    m.put("topics", List.of());
    m.put("has_issues", true);
    m.put("has_projects", false);
    m.put("has_wiki", false);
    m.put("has_pages", false);
    m.put("has_downloads", false);
    m.put("has_discussions", false);
    m.put("archived", false);
    m.put("disabled", false);
    m.put("visibility", "public");
    m.put("pushed_at", time(repo.updatedAt()));
    m.put("created_at", time(repo.createdAt()));
    m.put("updated_at", time(repo.updatedAt()));
    m.put("allow_merge_commit", true);
    m.put("allow_squash_merge", true);
    m.put("allow_rebase_merge", true);
    m.put("license", null);
    m.put("forks", 0);
    m.put("open_issues", openIssues);
    m.put("watchers", 0);
    if (full) {
      m.put("subscribers_count", 0);
      m.put("network_count", 0);
    }
    return m;
  }

  Map<String, Object> label(Repo repo, Label label) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", label.id());
    m.put("node_id", nodeId("Label", label.id()));
    m.put("url", api + "/repos/" + repo.fullName() + "/labels/" + label.name().replace(" ", "%20"));
    m.put("name", label.name());
    m.put("description", label.description());
    m.put("color", label.color());
    m.put("default", List.of("bug", "enhancement", "documentation").contains(label.name()));
    return m;
  }

  private String issueUrl(Repo repo, int number) {
    return api + "/repos/" + repo.fullName() + "/issues/" + number;
  }

  private String pullUrl(Repo repo, int number) {
    return api + "/repos/" + repo.fullName() + "/pulls/" + number;
  }

  /** The {@code issue} shape; pull requests carry the {@code pull_request} key, as on GitHub. */
  Map<String, Object> issue(Repo repo, Issue issue, List<Label> labels, int comments) {
    String url = issueUrl(repo, issue.number());
    String html = web + "/" + repo.fullName() + (issue.pullRequest() ? "/pull/" : "/issues/") + issue.number();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", issue.id());
    m.put("node_id", nodeId(issue.pullRequest() ? "PullRequest" : "Issue", issue.id()));
    m.put("url", url);
    m.put("repository_url", api + "/repos/" + repo.fullName());
    m.put("labels_url", url + "/labels{/name}");
    m.put("comments_url", url + "/comments");
    m.put("events_url", url + "/events");
    m.put("html_url", html);
    m.put("number", issue.number());
    m.put("state", issue.state());
    m.put("state_reason", issue.state().equals("closed") ? "completed" : null);
    m.put("title", issue.title());
    m.put("body", issue.body());
    m.put("user", user(issue.author()));
    m.put("labels", labels.stream().map(l -> label(repo, l)).toList());
    m.put("assignee", null);
    m.put("assignees", List.of());
    m.put("milestone", null);
    m.put("locked", false);
    m.put("active_lock_reason", null);
    m.put("comments", comments);
    if (issue.pullRequest()) {
      String pull = pullUrl(repo, issue.number());
      Map<String, Object> pr = new LinkedHashMap<>();
      pr.put("url", pull);
      pr.put("html_url", html);
      pr.put("diff_url", html + ".diff");
      pr.put("patch_url", html + ".patch");
      pr.put("merged_at", time(issue.mergedAt()));
      m.put("pull_request", pr);
    }
    m.put("closed_at", time(issue.closedAt()));
    m.put("created_at", time(issue.createdAt()));
    m.put("updated_at", time(issue.updatedAt()));
    m.put("closed_by", null);
    m.put("author_association", authorAssociation(issue.author()));
    return m;
  }

  private static String authorAssociation(String login) {
    return login.equals(SandboxApp.OWNER) || login.equals(ADMIN_LOGIN) ? "OWNER"
        : login.endsWith("[bot]") ? "NONE" : "MEMBER";
  }

  Map<String, Object> comment(Repo repo, Issue issue, Comment comment) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", comment.id());
    m.put("node_id", nodeId("IssueComment", comment.id()));
    m.put("url", api + "/repos/" + repo.fullName() + "/issues/comments/" + comment.id());
    m.put("html_url", web + "/" + repo.fullName() + "/issues/" + issue.number() + "#issuecomment-" + comment.id());
    m.put("body", comment.body());
    m.put("user", user(comment.author()));
    m.put("created_at", time(comment.createdAt()));
    m.put("updated_at", time(comment.updatedAt()));
    m.put("issue_url", issueUrl(repo, issue.number()));
    m.put("author_association", authorAssociation(comment.author()));
    return m;
  }

  /**
   * {@code pull-request-simple} (lists) or, with {@code state} present, {@code pull-request}
   * (pulls/get) including mergeability and diff statistics computed from Git.
   */
  Map<String, Object> pull(Repo repo, Issue issue, List<Label> labels, int openIssues, int comments,
      SandboxGit.PullState git, boolean full) {
    String url = pullUrl(repo, issue.number());
    String issueUrl = issueUrl(repo, issue.number());
    String html = web + "/" + repo.fullName() + "/pull/" + issue.number();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("url", url);
    m.put("id", issue.id());
    m.put("node_id", nodeId("PullRequest", issue.id()));
    m.put("html_url", html);
    m.put("diff_url", html + ".diff");
    m.put("patch_url", html + ".patch");
    m.put("issue_url", issueUrl);
    m.put("commits_url", url + "/commits");
    m.put("review_comments_url", url + "/comments");
    m.put("review_comment_url", api + "/repos/" + repo.fullName() + "/pulls/comments{/number}");
    m.put("comments_url", issueUrl + "/comments");
    m.put("statuses_url", api + "/repos/" + repo.fullName() + "/statuses/" + git.headSha());
    m.put("number", issue.number());
    m.put("state", issue.state());
    m.put("locked", false);
    m.put("title", issue.title());
    m.put("user", user(issue.author()));
    m.put("body", issue.body());
    m.put("labels", labels.stream().map(l -> label(repo, l)).toList());
    m.put("milestone", null);
    m.put("active_lock_reason", null);
    m.put("created_at", time(issue.createdAt()));
    m.put("updated_at", time(issue.updatedAt()));
    m.put("closed_at", time(issue.closedAt()));
    m.put("merged_at", time(issue.mergedAt()));
    m.put("merge_commit_sha", issue.mergeCommitSha());
    m.put("assignee", null);
    m.put("assignees", List.of());
    m.put("requested_reviewers", List.of());
    m.put("requested_teams", List.of());
    m.put("head", branch(repo, issue.headRef(), git.headSha(), openIssues));
    m.put("base", branch(repo, issue.baseRef(), git.baseSha(), openIssues));
    Map<String, Object> links = new LinkedHashMap<>();
    links.put("self", Map.of("href", url));
    links.put("html", Map.of("href", html));
    links.put("issue", Map.of("href", issueUrl));
    links.put("comments", Map.of("href", issueUrl + "/comments"));
    links.put("review_comments", Map.of("href", url + "/comments"));
    links.put("review_comment", Map.of("href", api + "/repos/" + repo.fullName() + "/pulls/comments{/number}"));
    links.put("commits", Map.of("href", url + "/commits"));
    links.put("statuses", Map.of("href", api + "/repos/" + repo.fullName() + "/statuses/" + git.headSha()));
    m.put("_links", links);
    m.put("author_association", authorAssociation(issue.author()));
    m.put("auto_merge", null);
    m.put("draft", false);
    if (full) {
      boolean open = issue.state().equals("open");
      m.put("merged", issue.merged());
      // GitHub reports null once a pull request is closed: there is nothing left to merge.
      m.put("mergeable", open ? git.mergeable() : null);
      m.put("rebaseable", open ? git.mergeable() : null);
      m.put("mergeable_state", !open ? "unknown" : git.mergeable() ? "clean" : "dirty");
      m.put("merged_by", issue.mergedBy() == null ? null : user(issue.mergedBy()));
      m.put("comments", comments);
      m.put("review_comments", 0);
      m.put("maintainer_can_modify", false);
      m.put("commits", git.commits());
      m.put("additions", git.additions());
      m.put("deletions", git.deletions());
      m.put("changed_files", git.changedFiles());
    }
    return m;
  }

  private Map<String, Object> branch(Repo repo, @Nullable String ref, String sha, int openIssues) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("label", repo.owner() + ":" + ref);
    m.put("ref", ref);
    m.put("sha", sha);
    m.put("user", user(repo.owner()));
    m.put("repo", repository(repo, openIssues, false));
    return m;
  }

  /**
   * {@code status} (repos/create-commit-status) or, without {@code creator},
   * {@code simple-commit-status} (an entry of the combined status).
   */
  Map<String, Object> status(Repo repo, SandboxStore.CommitStatus status, boolean withCreator) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("url", api + "/repos/" + repo.fullName() + "/statuses/" + status.sha());
    m.put("avatar_url", web + "/avatars/" + userId(status.creator()));
    m.put("id", status.id());
    m.put("node_id", nodeId("StatusContext", status.id()));
    m.put("state", status.state());
    m.put("description", status.description());
    m.put("target_url", status.targetUrl());
    m.put("context", status.context());
    m.put("created_at", time(status.createdAt()));
    m.put("updated_at", time(status.updatedAt()));
    if (withCreator) {
      m.put("creator", user(status.creator()));
    }
    return m;
  }

  /**
   * {@code combined-commit-status}: failure if any context reports error or failure, pending if
   * there is none or one is pending, success if all succeeded (GitHub's documented rule).
   */
  Map<String, Object> combinedStatus(Repo repo, String sha, List<SandboxStore.CommitStatus> latest, int openIssues) {
    String state = latest.isEmpty() ? "pending"
        : latest.stream().anyMatch(s -> s.state().equals("error") || s.state().equals("failure")) ? "failure"
        : latest.stream().anyMatch(s -> s.state().equals("pending")) ? "pending"
        : "success";
    Map<String, Object> repository = repository(repo, openIssues, false);
    // minimal-repository, as GitHub nests it here: no merge settings
    List.of("allow_merge_commit", "allow_squash_merge", "allow_rebase_merge").forEach(repository::remove);
    String r = api + "/repos/" + repo.fullName();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("state", state);
    m.put("statuses", latest.stream().map(s -> status(repo, s, false)).toList());
    m.put("sha", sha);
    m.put("total_count", latest.size());
    m.put("repository", repository);
    m.put("commit_url", r + "/commits/" + sha);
    m.put("url", r + "/commits/" + sha + "/status");
    return m;
  }

  /** {@code integration}: the sandbox's one GitHub App. */
  Map<String, Object> app(Map<String, String> permissions) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", SandboxApp.APP_ID);
    m.put("slug", SandboxApp.APP_SLUG);
    m.put("node_id", nodeId("Integration", SandboxApp.APP_ID));
    m.put("client_id", "Iv1.sandbox");
    m.put("owner", user(SandboxApp.OWNER));
    m.put("name", "AuthorAIzation Sandbox");
    m.put("description", "The GitHub App of the engine's sandbox forge");
    m.put("external_url", web);
    m.put("html_url", web + "/apps/" + SandboxApp.APP_SLUG);
    m.put("created_at", "2026-01-01T00:00:00Z");
    m.put("updated_at", "2026-01-01T00:00:00Z");
    m.put("permissions", new LinkedHashMap<>(permissions));
    m.put("events", List.of());
    m.put("installations_count", 1);
    return m;
  }

  Map<String, Object> installation(Map<String, String> permissions) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", SandboxApp.INSTALLATION_ID);
    m.put("account", user(SandboxApp.OWNER));
    m.put("repository_selection", "all");
    m.put("access_tokens_url", api + "/app/installations/" + SandboxApp.INSTALLATION_ID + "/access_tokens");
    m.put("repositories_url", api + "/installation/repositories");
    m.put("html_url", web + "/organizations/" + SandboxApp.OWNER + "/settings/installations/" + SandboxApp.INSTALLATION_ID);
    m.put("app_id", SandboxApp.APP_ID);
    m.put("app_slug", SandboxApp.APP_SLUG);
    m.put("target_id", userId(SandboxApp.OWNER));
    m.put("target_type", "Organization");
    m.put("permissions", new LinkedHashMap<>(permissions));
    m.put("events", List.of());
    m.put("created_at", "2026-01-01T00:00:00Z");
    m.put("updated_at", "2026-01-01T00:00:00Z");
    m.put("single_file_name", null);
    m.put("has_multiple_single_files", false);
    m.put("single_file_paths", List.of());
    m.put("suspended_by", null);
    m.put("suspended_at", null);
    return m;
  }

  private Map<String, Object> contentCommon(Repo repo, String type, String path, String sha, long size,
      String ref) {
    String self = api + "/repos/" + repo.fullName() + "/contents/" + path + "?ref=" + ref;
    String git = api + "/repos/" + repo.fullName() + (type.equals("dir") ? "/git/trees/" : "/git/blobs/") + sha;
    String html = web + "/" + repo.fullName() + (type.equals("dir") ? "/tree/" : "/blob/") + ref + "/" + path;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", type);
    m.put("size", size);
    m.put("name", path.contains("/") ? path.substring(path.lastIndexOf('/') + 1) : path);
    m.put("path", path);
    m.put("sha", sha);
    m.put("url", self);
    m.put("git_url", git);
    m.put("html_url", html);
    m.put("download_url", type.equals("dir") ? null
        : web + "/raw/" + repo.fullName() + "/" + ref + "/" + path);
    Map<String, Object> links = new LinkedHashMap<>();
    links.put("self", self);
    links.put("git", git);
    links.put("html", html);
    m.put("_links", links);
    return m;
  }

  /** {@code content-file}: base64 in lines of 60 characters, as GitHub sends it. */
  Map<String, Object> file(Repo repo, SandboxGit.File file, String ref) {
    Map<String, Object> m = contentCommon(repo, "file", file.path(), file.sha(), file.bytes().length, ref);
    String base64 = Base64.getMimeEncoder(60, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(file.bytes());
    m.put("content", base64.isEmpty() ? "" : base64 + "\n");
    m.put("encoding", "base64");
    return m;
  }

  /** {@code content-directory}: an array of entries. */
  List<Map<String, Object>> directory(Repo repo, SandboxGit.Directory dir, String ref) {
    List<Map<String, Object>> items = new ArrayList<>();
    for (SandboxGit.Entry e : dir.entries()) {
      items.add(contentCommon(repo, e.type(), e.path(), e.sha(), e.size(), ref));
    }
    return items;
  }
}
