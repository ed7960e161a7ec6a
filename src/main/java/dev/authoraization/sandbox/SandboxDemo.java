package dev.authoraization.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jgit.lib.PersonIdent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The sandbox's demo data, created at first start when the database has no sandbox repository:
 * {@code demo/webapp} (files from {@code classpath:sandbox/webapp/}), labelled issues, a
 * mergeable pull request "Fix login redirect" whose checks passed and a conflicting one "Rework
 * config loading" whose tests fail (commit statuses, as a CI system would post them).
 * Also the actions a demo or a test needs: a fresh mergeable pull request, and a push that moves
 * a pull request's head.
 */
public final class SandboxDemo {

  public static final String OWNER = SandboxApp.OWNER;
  public static final String REPO = "webapp";
  static final String MAIN = "main";
  /** The CI system that posts the demo's commit statuses. */
  static final String CI = "sandbox-ci[bot]";

  private static final Logger log = LoggerFactory.getLogger(SandboxDemo.class);

  private final SandboxStore store;
  private final SandboxGit git;
  private final TransactionTemplate tx;
  private final Clock clock;

  SandboxDemo(SandboxStore store, SandboxGit git, TransactionTemplate tx, Clock clock) {
    this.store = store;
    this.git = git;
    this.tx = tx;
    this.clock = clock;
  }

  /** Creates the demo repository unless the database already has a sandbox repository. */
  void seedIfEmpty() {
    if (store.anyRepository()) {
      return;
    }
    // Git first, then every row in one transaction: a half-seeded database is never left behind.
    git.create(OWNER, REPO, MAIN);
    git.commit(OWNER, REPO, MAIN, demoFiles(), "Initial commit", person("alice"));
    git.branch(OWNER, REPO, "fix-login-redirect", MAIN);
    git.commit(OWNER, REPO, "fix-login-redirect", Map.of("src/auth.js", """
        function safeNext(next) {
          // Only local paths: never redirect to another site, never to "/null".
          if (!next || !next.startsWith('/') || next.startsWith('//')) {
            return '/';
          }
          return next;
        }

        function login(req, res, url) {
          const next = url.searchParams.get('next');
          // After sign-in, send the user back where they came from.
          res.writeHead(302, { Location: safeNext(next) });
          res.end();
        }

        module.exports = { login };
        """), "Fix login redirect when next is missing\n\nFixes #1", person("bob"));
    git.branch(OWNER, REPO, "rework-config-loading", MAIN);
    git.commit(OWNER, REPO, "rework-config-loading", Map.of("src/config.js", """
        // Configuration of the web application, read once at start.
        function readPort() {
          const port = parseInt(process.env.WEBAPP_PORT || '3000', 10);
          if (Number.isNaN(port)) {
            throw new Error('WEBAPP_PORT must be a number');
          }
          return port;
        }

        module.exports = {
          port: readPort(),
          sessionSecret: process.env.WEBAPP_SESSION_SECRET,
        };
        """), "Rework config loading", person("carol"));
    // main moves on and changes the same lines: the rework now conflicts.
    git.commit(OWNER, REPO, MAIN, Map.of("src/config.js", """
        // Configuration of the web application.
        module.exports = {
          port: Number(process.env.PORT) || 3000,
          sessionSecret: process.env.SESSION_SECRET || 'change-me',
        };
        """), "Read port and session secret from the environment", person("alice"));
    try {
      tx.executeWithoutResult(status -> seedRows());
      log.info("Sandbox demo repository {}/{} created", OWNER, REPO);
    } catch (DataIntegrityViolationException e) {
      if (!store.anyRepository()) {
        throw e;
      }
      // Another engine node seeded the same database first; its rows win.
      log.info("Sandbox demo repository already seeded by another node");
    }
  }

  private void seedRows() {
    SandboxStore.Repo repo = store.createRepository(OWNER, REPO, "A tiny web app to try the engine on", MAIN);
    var bug = store.createLabel(repo.id(), "bug", "Something isn't working", "d73a4a");
    var enhancement = store.createLabel(repo.id(), "enhancement", "New feature or request", "a2eeef");
    var docs = store.createLabel(repo.id(), "documentation", "Improvements or additions to documentation", "0075ca");
    var login = store.createIssue(repo.id(), "Login redirects to /null when there is no next parameter",
        "Signing in from the home page sends me to `/null` instead of `/`.", "alice", List.of(bug), null, null);
    store.createIssue(repo.id(), "Server crashes when PORT is not a number",
        "`PORT=abc npm start` fails with an unhelpful error.", "bob", List.of(bug), null, null);
    store.createIssue(repo.id(), "404 page says \"Not foud\"",
        "Typo on the not-found page.", "carol", List.of(bug), null, null);
    store.createIssue(repo.id(), "Add a /health endpoint",
        "Load balancers need a cheap endpoint that answers 200.", "bob", List.of(enhancement), null, null);
    store.createIssue(repo.id(), "Document the configuration options",
        "README should list PORT and SESSION_SECRET.", "carol", List.of(docs), null, null);
    var closed = store.createIssue(repo.id(), "Crash on start with an empty config file",
        "Fixed by reading defaults.", "alice", List.of(bug), null, null);
    store.close(closed.id());
    store.addComment(login.id(), "bob", "I can reproduce this; a fix is on the way.");
    store.createIssue(repo.id(), "Fix login redirect",
        "Redirects to `/` when `next` is missing or not a local path.\n\nFixes #" + login.number(),
        "bob", List.of(bug), "fix-login-redirect", MAIN);
    store.createIssue(repo.id(), "Rework config loading",
        "Reads the port and the session secret from `WEBAPP_*` variables and validates them.",
        "carol", List.of(enhancement), "rework-config-loading", MAIN);
    String fixHead = git.tip(OWNER, REPO, "fix-login-redirect").orElseThrow();
    store.addStatus(repo.id(), fixHead, "success", "ci/tests", "All 14 tests passed", null, CI);
    store.addStatus(repo.id(), fixHead, "success", "ci/lint", "No problems found", null, CI);
    String reworkHead = git.tip(OWNER, REPO, "rework-config-loading").orElseThrow();
    store.addStatus(repo.id(), reworkHead, "success", "ci/lint", "No problems found", null, CI);
    store.addStatus(repo.id(), reworkHead, "failure", "ci/tests", "2 of 14 tests failed", null, CI);
  }

  /**
   * Creates a fresh, mergeable pull request against {@code main} of {@code demo/webapp}: a new
   * branch from main with one commit adding a note, so primed pull requests never conflict with
   * each other.
   *
   * @return the new pull request's number
   */
  public int prime() {
    SandboxStore.Repo repo = store.repository(OWNER, REPO)
        .orElseThrow(() -> new IllegalStateException("the sandbox demo repository does not exist"));
    synchronized (git.lock(OWNER, REPO)) {
      String branch = null;
      for (int i = 1; branch == null; i++) {
        if (git.tip(OWNER, REPO, "demo-change-" + i).isEmpty()) {
          branch = "demo-change-" + i;
        }
      }
      git.branch(OWNER, REPO, branch, MAIN);
      String head = git.commit(OWNER, REPO, branch, Map.of("notes/" + branch + ".md",
          "# " + branch + "\n\nA small change prepared for a merge demo.\n"),
          "Add " + branch + " note", person("alice"));
      store.addStatus(repo.id(), head, "success", "ci/tests", "All 14 tests passed", null, CI);
      return store.createIssue(repo.id(), "Add " + branch + " note",
          "A small, mergeable change prepared for a demo.", "alice", List.of(), branch, MAIN).number();
    }
  }

  /**
   * Pushes a commit that writes {@code path} onto the head branch of a pull request, as a
   * contributor pushing after a review would.
   *
   * @return the new head SHA
   */
  public String pushToHead(String owner, String repo, int number, String path, String content) {
    SandboxStore.Repo r = store.repository(owner, repo)
        .orElseThrow(() -> new IllegalArgumentException("no sandbox repository " + owner + "/" + repo));
    SandboxStore.Issue pr = store.issue(r.id(), number).filter(SandboxStore.Issue::pullRequest)
        .orElseThrow(() -> new IllegalArgumentException("no pull request #" + number + " in " + r.fullName()));
    return git.commit(owner, repo, pr.headRef(), Map.of(path, content), "Update " + path, person("bob"));
  }

  private PersonIdent person(String login) {
    return new PersonIdent(login, login + "@users.sandbox.invalid", clock.instant(), ZoneOffset.UTC);
  }

  /** Every file under {@code classpath:sandbox/webapp/}, also from inside a jar. */
  private static Map<String, String> demoFiles() {
    String marker = "sandbox/webapp/";
    Map<String, String> files = new TreeMap<>();
    try {
      for (Resource r : new PathMatchingResourcePatternResolver().getResources("classpath*:" + marker + "**")) {
        String url = r.getURL().toString();
        if (!r.isReadable() || url.endsWith("/")) {
          continue;
        }
        String path = url.substring(url.lastIndexOf(marker) + marker.length());
        files.put(path, r.getContentAsString(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the sandbox demo content", e);
    }
    if (files.isEmpty()) {
      throw new IllegalStateException("no sandbox demo content under classpath:" + marker);
    }
    return new LinkedHashMap<>(files);
  }
}
