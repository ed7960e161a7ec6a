package dev.authoraization.sandbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Repositories, labels, issues, pull requests and comments of the sandbox, in the engine's
 * database (Flyway {@code V3__sandbox.sql}). SQL runs on H2 (PostgreSQL mode) and PostgreSQL.
 */
final class SandboxStore {

  record Repo(long id, String owner, String name, @Nullable String description,
      String defaultBranch, OffsetDateTime createdAt, OffsetDateTime updatedAt) {
    String fullName() {
      return owner + "/" + name;
    }
  }

  record Label(long id, String name, @Nullable String description, String color) {}

  record Issue(long id, long repositoryId, int number, String title, @Nullable String body,
      String state, String author, boolean pullRequest, @Nullable String headRef,
      @Nullable String baseRef, @Nullable OffsetDateTime mergedAt, @Nullable String mergedBy,
      @Nullable String mergeCommitSha, OffsetDateTime createdAt, OffsetDateTime updatedAt,
      @Nullable OffsetDateTime closedAt) {
    boolean merged() {
      return mergedAt != null;
    }
  }

  record Comment(long id, long issueId, String author, String body, OffsetDateTime createdAt,
      OffsetDateTime updatedAt) {}

  /** A commit status as a CI system reported it ({@code repos/create-commit-status}). */
  record CommitStatus(long id, long repositoryId, String sha, String state, String context,
      @Nullable String description, @Nullable String targetUrl, String creator,
      OffsetDateTime createdAt, OffsetDateTime updatedAt) {}

  /** A page of rows and the total count, for {@code Link} headers. */
  record Page<T>(List<T> items, int total) {}

  private static final String ISSUE_COLUMNS = "id, repository_id, number, title, body, state, author,"
      + " pull_request, head_ref, base_ref, merged_at, merged_by, merge_commit_sha, created_at,"
      + " updated_at, closed_at";

  private final JdbcTemplate jdbc;
  private final TransactionTemplate tx;
  private final Clock clock;

  SandboxStore(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.clock = clock;
  }

  OffsetDateTime now() {
    return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);
  }

  boolean anyRepository() {
    Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM sandbox_repository", Integer.class);
    return n != null && n > 0;
  }

  Repo createRepository(String owner, String name, String description, String defaultBranch) {
    OffsetDateTime now = now();
    jdbc.update("INSERT INTO sandbox_repository (owner, name, description, default_branch, created_at, updated_at)"
        + " VALUES (?, ?, ?, ?, ?, ?)", owner, name, description, defaultBranch, now, now);
    return repository(owner, name).orElseThrow();
  }

  Optional<Repo> repository(String owner, String name) {
    return jdbc.query("SELECT * FROM sandbox_repository WHERE owner = ? AND name = ?", SandboxStore::repo,
        owner, name).stream().findFirst();
  }

  Optional<Repo> repository(long id) {
    return jdbc.query("SELECT * FROM sandbox_repository WHERE id = ?", SandboxStore::repo, id)
        .stream().findFirst();
  }

  List<Repo> repositories() {
    return jdbc.query("SELECT * FROM sandbox_repository ORDER BY id", SandboxStore::repo);
  }

  Label createLabel(long repositoryId, String name, String description, String color) {
    jdbc.update("INSERT INTO sandbox_label (repository_id, name, description, color) VALUES (?, ?, ?, ?)",
        repositoryId, name, description, color);
    return jdbc.queryForObject("SELECT * FROM sandbox_label WHERE repository_id = ? AND name = ?",
        SandboxStore::label, repositoryId, name);
  }

  List<Label> labels(long issueId) {
    return jdbc.query("SELECT l.* FROM sandbox_label l JOIN sandbox_issue_label il ON il.label_id = l.id"
        + " WHERE il.issue_id = ? ORDER BY l.name", SandboxStore::label, issueId);
  }

  /** Creates an issue or pull request with the repository's next number (one sequence for both). */
  Issue createIssue(long repositoryId, String title, String body, String author, List<Label> labels,
      @Nullable String headRef, @Nullable String baseRef) {
    return tx.execute(status -> {
      // The UPDATE locks the repository row, so concurrent creations get distinct numbers.
      jdbc.update("UPDATE sandbox_repository SET next_number = next_number + 1 WHERE id = ?", repositoryId);
      Integer next = jdbc.queryForObject("SELECT next_number FROM sandbox_repository WHERE id = ?",
          Integer.class, repositoryId);
      int number = next - 1;
      OffsetDateTime now = now();
      jdbc.update("INSERT INTO sandbox_issue (repository_id, number, title, body, state, author,"
              + " pull_request, head_ref, base_ref, created_at, updated_at) VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?)",
          repositoryId, number, title, body, author, headRef != null, headRef, baseRef, now, now);
      Issue issue = issue(repositoryId, number).orElseThrow();
      for (Label label : labels) {
        jdbc.update("INSERT INTO sandbox_issue_label (issue_id, label_id) VALUES (?, ?)", issue.id(), label.id());
      }
      return issue;
    });
  }

  Optional<Issue> issue(long repositoryId, int number) {
    return jdbc.query("SELECT " + ISSUE_COLUMNS + " FROM sandbox_issue WHERE repository_id = ? AND number = ?",
        SandboxStore::issue, repositoryId, number).stream().findFirst();
  }

  void close(long issueId) {
    OffsetDateTime now = now();
    jdbc.update("UPDATE sandbox_issue SET state = 'closed', closed_at = ?, updated_at = ? WHERE id = ?",
        now, now, issueId);
  }

  /**
   * Marks an open pull request closed and merged. Conditional on it still being open, so two
   * racing merges cannot both record success.
   */
  boolean markMerged(long issueId, String mergeCommitSha, String mergedBy) {
    OffsetDateTime now = now();
    return jdbc.update("UPDATE sandbox_issue SET state = 'closed', closed_at = ?, updated_at = ?, merged_at = ?,"
        + " merged_by = ?, merge_commit_sha = ? WHERE id = ? AND state = 'open'",
        now, now, now, mergedBy, mergeCommitSha, issueId) == 1;
  }

  /**
   * Issues of a repository, pull requests included, newest first.
   *
   * @param state open, closed or all
   * @param labelNames every one must be on the issue
   * @param pullsOnly only pull requests (for the pulls list)
   */
  Page<Issue> issues(long repositoryId, String state, List<String> labelNames, boolean pullsOnly,
      int perPage, int page) {
    StringBuilder where = new StringBuilder(" WHERE i.repository_id = ?");
    List<Object> args = new ArrayList<>(List.of(repositoryId));
    if (!state.equals("all")) {
      where.append(" AND i.state = ?");
      args.add(state);
    }
    if (pullsOnly) {
      where.append(" AND i.pull_request = TRUE");
    }
    for (String label : labelNames) {
      where.append(" AND EXISTS (SELECT 1 FROM sandbox_issue_label il JOIN sandbox_label l ON l.id = il.label_id"
          + " WHERE il.issue_id = i.id AND l.name = ?)");
      args.add(label);
    }
    Integer total = jdbc.queryForObject("SELECT COUNT(*) FROM sandbox_issue i" + where, Integer.class,
        args.toArray());
    List<Object> pageArgs = new ArrayList<>(args);
    pageArgs.add(perPage);
    pageArgs.add((long) (page - 1) * perPage);
    List<Issue> items = jdbc.query("SELECT " + ISSUE_COLUMNS.replaceAll("(\\w+)", "i.$1") + " FROM sandbox_issue i"
        + where + " ORDER BY i.number DESC LIMIT ? OFFSET ?", SandboxStore::issue, pageArgs.toArray());
    return new Page<>(items, total == null ? 0 : total);
  }

  int commentCount(long issueId) {
    Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM sandbox_comment WHERE issue_id = ?", Integer.class, issueId);
    return n == null ? 0 : n;
  }

  Comment addComment(long issueId, String author, String body) {
    return tx.execute(status -> {
      OffsetDateTime now = now();
      jdbc.update("INSERT INTO sandbox_comment (issue_id, author, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
          issueId, author, body, now, now);
      jdbc.update("UPDATE sandbox_issue SET updated_at = ? WHERE id = ?", now, issueId);
      return jdbc.queryForObject("SELECT * FROM sandbox_comment WHERE issue_id = ? ORDER BY id DESC LIMIT 1",
          SandboxStore::comment, issueId);
    });
  }

  List<Comment> comments(long issueId) {
    return jdbc.query("SELECT * FROM sandbox_comment WHERE issue_id = ? ORDER BY id", SandboxStore::comment, issueId);
  }

  CommitStatus addStatus(long repositoryId, String sha, String state, String context,
      @Nullable String description, @Nullable String targetUrl, String creator) {
    return tx.execute(status -> {
      OffsetDateTime now = now();
      jdbc.update("INSERT INTO sandbox_commit_status (repository_id, sha, state, context, description, target_url,"
              + " creator, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          repositoryId, sha, state, context, description, targetUrl, creator, now, now);
      return jdbc.queryForObject("SELECT * FROM sandbox_commit_status WHERE repository_id = ? AND sha = ?"
          + " ORDER BY id DESC LIMIT 1", SandboxStore::commitStatus, repositoryId, sha);
    });
  }

  /**
   * The newest status of each context of a commit, newest first, as GitHub's combined status
   * lists them (contexts compare case-insensitively, as GitHub documents).
   */
  List<CommitStatus> latestStatuses(long repositoryId, String sha) {
    List<CommitStatus> all = jdbc.query("SELECT * FROM sandbox_commit_status WHERE repository_id = ? AND sha = ?"
        + " ORDER BY id DESC", SandboxStore::commitStatus, repositoryId, sha);
    java.util.Set<String> seen = new java.util.HashSet<>();
    return all.stream().filter(s -> seen.add(s.context().toLowerCase(java.util.Locale.ROOT))).toList();
  }

  private static CommitStatus commitStatus(ResultSet rs, int row) throws SQLException {
    return new CommitStatus(rs.getLong("id"), rs.getLong("repository_id"), rs.getString("sha"),
        rs.getString("state"), rs.getString("context"), rs.getString("description"), rs.getString("target_url"),
        rs.getString("creator"), time(rs, "created_at"), time(rs, "updated_at"));
  }

  private static Repo repo(ResultSet rs, int row) throws SQLException {
    return new Repo(rs.getLong("id"), rs.getString("owner"), rs.getString("name"), rs.getString("description"),
        rs.getString("default_branch"), time(rs, "created_at"), time(rs, "updated_at"));
  }

  private static Label label(ResultSet rs, int row) throws SQLException {
    return new Label(rs.getLong("id"), rs.getString("name"), rs.getString("description"), rs.getString("color"));
  }

  private static Issue issue(ResultSet rs, int row) throws SQLException {
    return new Issue(rs.getLong("id"), rs.getLong("repository_id"), rs.getInt("number"), rs.getString("title"),
        rs.getString("body"), rs.getString("state"), rs.getString("author"), rs.getBoolean("pull_request"),
        rs.getString("head_ref"), rs.getString("base_ref"), time(rs, "merged_at"), rs.getString("merged_by"),
        rs.getString("merge_commit_sha"), time(rs, "created_at"), time(rs, "updated_at"), time(rs, "closed_at"));
  }

  private static Comment comment(ResultSet rs, int row) throws SQLException {
    return new Comment(rs.getLong("id"), rs.getLong("issue_id"), rs.getString("author"), rs.getString("body"),
        time(rs, "created_at"), time(rs, "updated_at"));
  }

  private static @Nullable OffsetDateTime time(ResultSet rs, String column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.withOffsetSameInstant(ZoneOffset.UTC);
  }
}
