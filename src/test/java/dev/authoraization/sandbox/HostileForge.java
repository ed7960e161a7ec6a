package dev.authoraization.sandbox;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jgit.lib.PersonIdent;
import org.springframework.context.ApplicationContext;

/**
 * Writes content into {@code demo/webapp} of the sandbox forge the way an outside contributor
 * could: issues (title, body, labels), pull requests (title, description, branch name, the
 * branch's files and commit message) and comments. For the red team's prompt-injection suite,
 * which lives in another package.
 */
public final class HostileForge {

  private final SandboxStore store;
  private final SandboxGit git;
  private final Map<String, SandboxStore.Label> labels = new ConcurrentHashMap<>();

  private HostileForge(SandboxStore store, SandboxGit git) {
    this.store = store;
    this.git = git;
  }

  public static HostileForge of(ApplicationContext context) {
    return new HostileForge(context.getBean(SandboxStore.class), context.getBean(SandboxGit.class));
  }

  /** A new issue by {@code author}, with labels created as needed; returns its number. */
  public int issue(String title, String body, String author, List<String> labels) {
    SandboxStore.Repo repo = repo();
    List<SandboxStore.Label> attached = labels.stream().map(name -> label(repo, name)).toList();
    return store.createIssue(repo.id(), title, body, author, attached, null, null).number();
  }

  /** A comment on an issue or pull request. */
  public void comment(int number, String author, String body) {
    store.addComment(store.issue(repo().id(), number).orElseThrow().id(), author, body);
  }

  /**
   * A new pull request from a new branch off main, whose one commit writes {@code files} with
   * {@code commitMessage}; returns its number.
   */
  public int pullRequest(String branch, Map<String, String> files, String commitMessage, String title, String body,
      String author) {
    SandboxStore.Repo repo = repo();
    synchronized (git.lock(repo.owner(), repo.name())) {
      git.branch(repo.owner(), repo.name(), branch, SandboxDemo.MAIN);
      git.commit(repo.owner(), repo.name(), branch, files, commitMessage,
          new PersonIdent(author, author + "@users.sandbox.invalid", Instant.now(), ZoneOffset.UTC));
      return store.createIssue(repo.id(), title, body, author, List.of(), branch, SandboxDemo.MAIN).number();
    }
  }

  /** Whether the pull request (or issue) {@code number} is merged. */
  public boolean merged(int number) {
    return store.issue(repo().id(), number).orElseThrow().merged();
  }

  /** Comments on issue or pull request {@code number}, as their bodies. */
  public List<String> comments(int number) {
    return store.comments(store.issue(repo().id(), number).orElseThrow().id()).stream()
        .map(SandboxStore.Comment::body).toList();
  }

  private SandboxStore.Repo repo() {
    return store.repository(SandboxDemo.OWNER, SandboxDemo.REPO).orElseThrow();
  }

  private SandboxStore.Label label(SandboxStore.Repo repo, String name) {
    return labels.computeIfAbsent(name, n -> store.createLabel(repo.id(), n, "", "ededed"));
  }
}
