package dev.authoraization.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.authoraization.support.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The sandbox's tables and queries on both databases, and demo seeding across restarts. */
class SandboxStoreTests {

  static Stream<Named<DataSource>> databases() {
    return TestDatabases.both();
  }

  static SandboxStore store(DataSource ds) {
    return new SandboxStore(new JdbcTemplate(ds), new TransactionTemplate(new DataSourceTransactionManager(ds)),
        Clock.systemUTC());
  }

  @ParameterizedTest
  @MethodSource("databases")
  void issuesAndPullRequestsShareOneNumberSequencePerRepository(DataSource ds) {
    SandboxStore store = store(ds);
    var a = store.createRepository("demo", "a", "first", "main");
    var b = store.createRepository("demo", "b", "second", "main");
    var bug = store.createLabel(a.id(), "bug", "broken", "d73a4a");
    assertThat(store.createIssue(a.id(), "one", "", "alice", List.of(bug), null, null).number()).isEqualTo(1);
    assertThat(store.createIssue(a.id(), "two", "", "alice", List.of(), "topic", "main").number()).isEqualTo(2);
    assertThat(store.createIssue(b.id(), "other", "", "bob", List.of(), null, null).number()).isEqualTo(1);
    assertThat(store.createIssue(a.id(), "three", null, "alice", List.of(bug), null, null).number()).isEqualTo(3);
  }

  @ParameterizedTest
  @MethodSource("databases")
  void issuesAreFilteredByStateAndLabelAndPaged(DataSource ds) {
    SandboxStore store = store(ds);
    var repo = store.createRepository("demo", "r", null, "main");
    var bug = store.createLabel(repo.id(), "bug", null, "d73a4a");
    for (int i = 0; i < 5; i++) {
      store.createIssue(repo.id(), "bug " + i, "", "alice", List.of(bug), null, null);
    }
    var closed = store.createIssue(repo.id(), "closed", "", "alice", List.of(bug), null, null);
    store.close(closed.id());
    store.createIssue(repo.id(), "pr", "", "alice", List.of(), "topic", "main");
    var page = store.issues(repo.id(), "open", List.of("bug"), false, 2, 2);
    assertThat(page.total()).isEqualTo(5);
    assertThat(page.items()).extracting(SandboxStore.Issue::title).containsExactly("bug 2", "bug 1");
    assertThat(store.issues(repo.id(), "closed", List.of(), false, 30, 1).items())
        .singleElement().satisfies(i -> assertThat(i.closedAt()).isNotNull());
    assertThat(store.issues(repo.id(), "all", List.of(), true, 30, 1).items())
        .singleElement().satisfies(i -> assertThat(i.headRef()).isEqualTo("topic"));
  }

  @ParameterizedTest
  @MethodSource("databases")
  void theLatestStatusOfEachContextOfOneCommitIsKept(DataSource ds) {
    SandboxStore store = store(ds);
    var repo = store.createRepository("demo", "statuses", null, "main");
    var other = store.createRepository("demo", "other", null, "main");
    String sha = "a".repeat(40);
    store.addStatus(repo.id(), sha, "pending", "ci/tests", "Running", null, "ci[bot]");
    store.addStatus(repo.id(), sha, "success", "ci/lint", null, "https://ci.example.com/2", "ci[bot]");
    var latest = store.addStatus(repo.id(), sha, "failure", "CI/Tests", "2 failed", null, "ci[bot]");
    store.addStatus(repo.id(), "b".repeat(40), "error", "ci/tests", null, null, "ci[bot]");
    store.addStatus(other.id(), sha, "error", "ci/deploy", null, null, "ci[bot]");

    assertThat(store.latestStatuses(repo.id(), sha)).extracting(SandboxStore.CommitStatus::context)
        .containsExactly("CI/Tests", "ci/lint");
    assertThat(store.latestStatuses(repo.id(), sha).getFirst()).isEqualTo(latest);
    assertThat(latest.description()).isEqualTo("2 failed");
    assertThat(store.latestStatuses(repo.id(), "c".repeat(40))).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aPullRequestIsMarkedMergedOnlyOnce(DataSource ds) {
    SandboxStore store = store(ds);
    var repo = store.createRepository("demo", "m", null, "main");
    var pr = store.createIssue(repo.id(), "pr", "", "alice", List.of(), "topic", "main");
    assertThat(store.markMerged(pr.id(), "a".repeat(40), "alice")).isTrue();
    assertThat(store.markMerged(pr.id(), "b".repeat(40), "bob")).isFalse();
    var merged = store.issue(repo.id(), pr.number()).orElseThrow();
    assertThat(merged.merged()).isTrue();
    assertThat(merged.state()).isEqualTo("closed");
    assertThat(merged.mergeCommitSha()).isEqualTo("a".repeat(40));
    var comment = store.addComment(pr.id(), "bob", "looks good");
    assertThat(store.comments(pr.id())).singleElement().isEqualTo(comment);
  }

  @Test
  void demoIsSeededOnceAndSurvivesARestart(@TempDir Path dir) {
    DataSource ds = TestDatabases.h2();
    var tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
    String mainAfterSeed;
    try (SandboxGit git = new SandboxGit(dir, Clock.systemUTC())) {
      new SandboxDemo(store(ds), git, tx, Clock.systemUTC()).seedIfEmpty();
      mainAfterSeed = git.tip("demo", "webapp", "main").orElseThrow();
    }
    try (SandboxGit git = new SandboxGit(dir, Clock.systemUTC())) {
      SandboxStore store = store(ds);
      SandboxDemo demo = new SandboxDemo(store, git, tx, Clock.systemUTC());
      demo.seedIfEmpty();
      assertThat(store.repositories()).hasSize(1);
      assertThat(git.tip("demo", "webapp", "main")).contains(mainAfterSeed);
      var repo = store.repository("demo", "webapp").orElseThrow();
      assertThat(store.issues(repo.id(), "all", List.of(), false, 100, 1).total()).isEqualTo(8);
      int primed = demo.prime();
      assertThat(primed).isEqualTo(9);
      var pr = store.issue(repo.id(), primed).orElseThrow();
      // main moves on, so the merged tree is a new one that a writing merger would store
      git.commit("demo", "webapp", "main", Map.of("CHANGELOG.md", "- main moved\n"), "Move main", git.committer());
      long objectsBefore = objectFiles(dir);
      assertThat(git.inspect("demo", "webapp", "main", pr.headRef()).mergeable()).isTrue();
      assertThat(git.inspect("demo", "webapp", "main", "rework-config-loading").mergeable()).isFalse();
      assertThat(objectFiles(dir)).as("a trial merge writes nothing").isEqualTo(objectsBefore);
      String moved = demo.pushToHead("demo", "webapp", primed, "README.md", "changed\n");
      assertThat(git.tip("demo", "webapp", pr.headRef())).contains(moved);
      assertThat(git.content("demo", "webapp", moved, "README.md").orElseThrow())
          .isInstanceOfSatisfying(SandboxGit.File.class, f -> assertThat(new String(f.bytes())).isEqualTo("changed\n"));
    }
  }

  /** A kill in the middle of a ref update leaves JGit's lock file; the next start must not trip on it. */
  @Test
  void aRefLockLeftByAKilledWriteIsClearedAtTheNextStartAndTheBranchMovesAgain(@TempDir Path dir) throws Exception {
    String before;
    try (SandboxGit git = new SandboxGit(dir, Clock.systemUTC())) {
      git.create("demo", "locked", "main");
      before = git.commit("demo", "locked", "main", Map.of("README.md", "one\n"), "One", git.committer());
    }
    Path lock = dir.resolve("demo/locked.git/refs/heads/main.lock");
    Files.writeString(lock, before + "\n");
    try (var raw = new FileRepositoryBuilder().setGitDir(dir.resolve("demo/locked.git").toFile()).setMustExist(true)
        .build()) {
      RefUpdate update = raw.updateRef("refs/heads/main");
      update.setNewObjectId(ObjectId.fromString(before));
      assertThat(update.forceUpdate()).as("what the lock does to git").isEqualTo(RefUpdate.Result.LOCK_FAILURE);
    }

    try (SandboxGit git = new SandboxGit(dir, Clock.systemUTC())) {
      String after = git.commit("demo", "locked", "main", Map.of("README.md", "two\n"), "Two", git.committer());

      assertThat(lock).doesNotExist();
      assertThat(git.tip("demo", "locked", "main")).contains(after);
      assertThat(git.parents("demo", "locked", after)).containsExactly(before);
    }
  }

  /**
   * A second writer would take the first one's ref locks for stale and delete them, and its own
   * per-repository locks would not order its merges against the first one's.
   */
  @Test
  void aSecondSandboxOnTheSameRepositoriesIsRefusedUntilTheFirstIsClosedAndLeavesTheFirstsLocksAlone(
      @TempDir Path dir) throws Exception {
    Path refLock = dir.resolve("demo/busy.git/refs/heads/main.lock");
    String tip;
    try (SandboxGit first = new SandboxGit(dir, Clock.systemUTC())) {
      first.create("demo", "busy", "main");
      tip = first.commit("demo", "busy", "main", Map.of("README.md", "one\n"), "One", first.committer());
      Files.writeString(refLock, "a write of the first sandbox, under way\n");

      assertThatThrownBy(() -> new SandboxGit(dir, Clock.systemUTC()))
          .isInstanceOf(SandboxInUse.class)
          .hasMessageContaining(dir.toAbsolutePath().normalize().toString())
          .hasMessageContaining("process " + ProcessHandle.current().pid());
      assertThat(refLock).exists();
      Files.delete(refLock);
    }

    try (SandboxGit next = new SandboxGit(dir, Clock.systemUTC())) {
      assertThat(next.tip("demo", "busy", "main")).contains(tip);
      assertThat(dir.resolve(SandboxGit.OWNER_FILE)).content().isEqualTo("process " + ProcessHandle.current().pid());
    }
  }

  static long objectFiles(Path reposDir) {
    try (var files = java.nio.file.Files.walk(reposDir.resolve("demo/webapp.git/objects"))) {
      return files.filter(java.nio.file.Files::isRegularFile).count();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void appKeyGeneratedInTheBackgroundIsOnDiskOnceAwaitedAndVerifiesItsJwts(@TempDir Path dir) throws Exception {
    SandboxApp app = new SandboxApp(new SandboxProperties(true, dir, "", Duration.ZERO), Clock.systemUTC());
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair otherKey = generator.generateKeyPair();

    app.awaitKey();

    assertThat(dir.resolve("app-private-key.pem")).isRegularFile();
    app.verifyAppJwt(SandboxHttp.appJwt(SandboxHttp.readPrivateKey(app.privateKeyPath())));
    assertThatThrownBy(() -> app.verifyAppJwt(SandboxHttp.appJwt(otherKey.getPrivate())))
        .isInstanceOf(SandboxError.class);
  }

  @Test
  void appKeyIsKeptAcrossRestartsAndAConfiguredPersonalTokenIsUsed(@TempDir Path dir) {
    SandboxApp first = new SandboxApp(new SandboxProperties(true, dir, "", Duration.ZERO), Clock.systemUTC());
    var key = SandboxHttp.readPrivateKey(first.privateKeyPath());
    SandboxApp second = new SandboxApp(new SandboxProperties(true, dir, "ghp_configured", Duration.ZERO), Clock.systemUTC());
    second.verifyAppJwt(SandboxHttp.appJwt(key));
    assertThat(second.isPersonalToken("ghp_configured")).isTrue();
    assertThat(second.isPersonalToken("ghp_other")).isFalse();
    assertThat(Map.of("path", second.privateKeyPath())).containsValue(first.privateKeyPath());
  }
}
