package dev.authoraization.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.diff.Edit;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.merge.MergeStrategy;
import org.eclipse.jgit.merge.ResolveMerger;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevSort;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.revwalk.filter.RevFilter;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.util.FileUtils;
import org.eclipse.jgit.util.io.DisabledOutputStream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox's Git side: bare repositories under {@code <data-dir>/repos/<owner>/<name>.git},
 * written and read with JGit. Merges are real: merge commits with two parents, squash commits,
 * and rebases that replay each commit. Nothing here touches a working tree or an index on disk.
 *
 * <p>Writes to one repository are serialized by a lock per repository, so "check the head SHA,
 * then merge" cannot interleave with a push to the head branch.
 */
final class SandboxGit implements AutoCloseable {

  enum MergeMethod { MERGE, SQUASH, REBASE }

  /** What {@code pulls/get} reports about a pull request's branches. */
  record PullState(String baseSha, String headSha, boolean mergeable, int commits, int additions,
      int deletions, int changedFiles) {}

  /** A path in a tree: a file with its bytes, or a directory with its entries. */
  sealed interface Content permits File, Directory {}

  record File(String path, String sha, byte[] bytes) implements Content {}

  record Entry(String path, String type, String sha, long size) {}

  record Directory(String path, List<Entry> entries) implements Content {}

  private static final Logger log = LoggerFactory.getLogger(SandboxGit.class);

  static final PersonIdent COMMITTER_TEMPLATE = new PersonIdent("GitHub Sandbox", "noreply@sandbox.invalid");

  /** In the repositories' directory; its name does not end in {@code .lock}, which the clean-up removes. */
  static final String OWNER_FILE = ".engine-owner";

  private final Path reposDir;
  private final Clock clock;
  private final Map<String, Repository> open = new ConcurrentHashMap<>();
  private final Map<String, Object> locks = new ConcurrentHashMap<>();
  private final FileChannel owner;

  /** Fails with {@link SandboxInUse} when another engine process (or instance) writes {@code reposDir}. */
  SandboxGit(Path reposDir, Clock clock) {
    this.reposDir = reposDir;
    this.clock = clock;
    this.owner = own(reposDir);
    removeStaleLocks(reposDir);
  }

  /**
   * Takes the operating system's lock on {@link #OWNER_FILE} for as long as this instance lives (the
   * system releases it when the process ends, however it ends) and writes this process's id there
   * for the message another engine gets. Only then is it safe to take every ref lock as stale.
   */
  private static FileChannel own(Path reposDir) {
    Path file = reposDir.resolve(OWNER_FILE);
    FileChannel channel = null;
    try {
      Files.createDirectories(reposDir);
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException sameProcess) {
        lock = null;
      }
      if (lock == null) {
        String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
        throw new SandboxInUse(reposDir.toAbsolutePath().normalize(),
            holder.isEmpty() ? "its process id is not known" : holder);
      }
      channel.truncate(0);
      channel.write(StandardCharsets.UTF_8.encode("process " + ProcessHandle.current().pid()), 0);
      return channel;
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      if (e instanceof SandboxInUse inUse) {
        throw inUse;
      }
      throw new IllegalStateException("cannot take ownership of the sandbox repositories under " + reposDir, e);
    }
  }

  private static void closeQuietly(@Nullable FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) { // it was never ours
      }
    }
  }

  /**
   * A process killed while JGit updated a ref leaves its {@code <file>.lock} behind, and every
   * later update of that ref fails ({@code LOCK_FAILURE}) until someone deletes it, as with git.
   * Only this instance writes these repositories, and it is being created: any lock now is stale.
   * The walk skips {@code objects/}, the bulk of a repository: of the JGit 7.8 classes that take
   * a LockFile, only PackLockImpl does so in there (a received pack's {@code .keep}), and the
   * sandbox receives no packs: it writes loose objects through an inserter, each to a temporary
   * file that is then renamed.
   */
  private static void removeStaleLocks(Path reposDir) {
    if (!Files.isDirectory(reposDir)) {
      return;
    }
    try {
      Files.walkFileTree(reposDir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
          boolean objects = dir.getFileName().toString().equals("objects")
              && dir.getParent().getFileName().toString().endsWith(".git"); // not an owner named "objects"
          return objects ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
          if (attributes.isRegularFile() && file.getFileName().toString().endsWith(".lock")) {
            Files.delete(file);
            log.warn("Removed {}, left by a sandbox Git write that was interrupted (a crash or a kill)", file);
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clean up the sandbox repositories under " + reposDir, e);
    }
  }

  private Path dir(String owner, String name) {
    return reposDir.resolve(owner).resolve(name + ".git");
  }

  Object lock(String owner, String name) {
    return locks.computeIfAbsent(owner + "/" + name, k -> new Object());
  }

  PersonIdent committer() {
    return new PersonIdent(COMMITTER_TEMPLATE.getName(), COMMITTER_TEMPLATE.getEmailAddress(),
        clock.instant(), ZoneOffset.UTC);
  }

  /**
   * Creates an empty bare repository. Whatever was at that place before is removed: the database
   * is the source of truth for which sandbox repositories exist, and a leftover directory without
   * its rows would describe pull requests nobody knows about.
   */
  void create(String owner, String name, String defaultBranch) {
    Path dir = dir(owner, name);
    synchronized (lock(owner, name)) {
      Repository old = open.remove(owner + "/" + name);
      if (old != null) {
        old.close();
      }
      try {
        if (Files.exists(dir)) {
          FileUtils.delete(dir.toFile(), FileUtils.RECURSIVE);
        }
        Files.createDirectories(dir);
        try (Git git = Git.init().setBare(true).setGitDir(dir.toFile()).setInitialBranch(defaultBranch).call()) {
          // initialised; opened again lazily through repo()
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create sandbox repository " + dir, e);
      } catch (GitAPIException e) {
        throw new IllegalStateException("cannot create sandbox repository " + dir, e);
      }
    }
  }

  private Repository repo(String owner, String name) {
    return open.computeIfAbsent(owner + "/" + name, key -> {
      Path dir = dir(owner, name);
      if (!Files.isDirectory(dir)) {
        throw SandboxError.notFound();
      }
      try {
        return new FileRepositoryBuilder().setGitDir(dir.toFile()).setMustExist(true).build();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open sandbox repository " + dir, e);
      }
    });
  }

  Optional<String> tip(String owner, String name, String branch) {
    try {
      Ref ref = repo(owner, name).exactRef(Constants.R_HEADS + branch);
      return Optional.ofNullable(ref).map(r -> r.getObjectId().name());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The commit a ref names, as GitHub reads the {@code ref} of a commit endpoint: a full commit
   * SHA, a branch or a tag. No revision expressions ({@code main~1}, {@code HEAD^}): those are
   * JGit's syntax, not GitHub's.
   */
  Optional<String> commit(String owner, String name, String ref) {
    Repository repo = repo(owner, name);
    try (RevWalk walk = new RevWalk(repo)) {
      ObjectId id = null;
      if (ref.matches("[0-9a-f]{40}")) {
        id = ObjectId.fromString(ref);
      } else {
        for (String prefix : new String[] {Constants.R_HEADS, Constants.R_TAGS}) {
          Ref found = repo.exactRef(prefix + ref);
          if (found != null) {
            id = repo.getRefDatabase().peel(found).getPeeledObjectId() != null
                ? repo.getRefDatabase().peel(found).getPeeledObjectId() : found.getObjectId();
            break;
          }
        }
      }
      if (id == null || !repo.getObjectDatabase().has(id)) {
        return Optional.empty();
      }
      return Optional.of(walk.parseCommit(id).name());
    } catch (org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
      return Optional.empty(); // a SHA of a tree or blob, not a commit
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Creates {@code branch} at the tip of {@code from}. */
  String branch(String owner, String name, String branch, String from) {
    synchronized (lock(owner, name)) {
      Repository repo = repo(owner, name);
      ObjectId start = ObjectId.fromString(tip(owner, name, from).orElseThrow(SandboxError::notFound));
      try {
        updateRef(repo, branch, null, start);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return start.name();
    }
  }

  /**
   * Commits files (path to UTF-8 text) on top of {@code branch} (creating it if missing) and
   * moves the branch. Returns the new commit's SHA.
   */
  String commit(String owner, String name, String branch, Map<String, String> files, String message,
      PersonIdent author) {
    synchronized (lock(owner, name)) {
      Repository repo = repo(owner, name);
      try (ObjectInserter inserter = repo.newObjectInserter(); RevWalk walk = new RevWalk(repo)) {
        Ref ref = repo.exactRef(Constants.R_HEADS + branch);
        ObjectId parent = ref == null ? null : ref.getObjectId();
        DirCache index = DirCache.newInCore();
        if (parent != null) {
          DirCacheBuilder builder = index.builder();
          builder.addTree(new byte[0], DirCacheEntry.STAGE_0, walk.getObjectReader(),
              walk.parseCommit(parent).getTree());
          builder.finish();
        }
        DirCacheEditor editor = index.editor();
        for (Map.Entry<String, String> file : files.entrySet()) {
          ObjectId blob = inserter.insert(Constants.OBJ_BLOB, file.getValue().getBytes(StandardCharsets.UTF_8));
          editor.add(new DirCacheEditor.PathEdit(file.getKey()) {
            @Override
            public void apply(DirCacheEntry entry) {
              entry.setFileMode(FileMode.REGULAR_FILE);
              entry.setObjectId(blob);
            }
          });
        }
        editor.finish();
        ObjectId tree = index.writeTree(inserter);
        ObjectId commit = insertCommit(inserter, tree, message, author,
            parent == null ? List.of() : List.of(parent));
        inserter.flush();
        updateRef(repo, branch, parent, commit);
        return commit.name();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Branch state for {@code pulls/get}; mergeability is tried in memory, no ref moves. */
  PullState inspect(String owner, String name, String base, String head) {
    Repository repo = repo(owner, name);
    ObjectId baseTip = ObjectId.fromString(tip(owner, name, base).orElseThrow(SandboxError::notFound));
    ObjectId headTip = ObjectId.fromString(tip(owner, name, head).orElseThrow(SandboxError::notFound));
    try (RevWalk walk = new RevWalk(repo); InMemoryInserter scratch = new InMemoryInserter(repo)) {
      RevCommit baseCommit = walk.parseCommit(baseTip);
      RevCommit headCommit = walk.parseCommit(headTip);
      // Tried in memory: merged blobs and trees go to a scratch inserter, nothing reaches the disk.
      ResolveMerger merger = (ResolveMerger) MergeStrategy.RECURSIVE.newMerger(scratch, repo.getConfig());
      boolean mergeable = merger.merge(baseCommit, headCommit);
      int commits = newCommits(repo, baseTip, headTip).size();
      RevCommit mergeBase = mergeBase(repo, baseTip, headTip);
      int additions = 0;
      int deletions = 0;
      int changed = 0;
      try (DiffFormatter diff = new DiffFormatter(DisabledOutputStream.INSTANCE)) {
        diff.setRepository(repo);
        List<DiffEntry> entries = diff.scan(mergeBase == null ? null : mergeBase.getTree(), headCommit.getTree());
        changed = entries.size();
        for (DiffEntry entry : entries) {
          for (Edit edit : diff.toFileHeader(entry).toEditList()) {
            deletions += edit.getLengthA();
            additions += edit.getLengthB();
          }
        }
      }
      return new PullState(baseTip.name(), headTip.name(), mergeable, commits, additions, deletions, changed);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Merges {@code head} into {@code base} with the given method and moves {@code base}.
   *
   * @param expectedHeadSha when given, the head must still be at this commit (409 otherwise)
   * @return the SHA of the commit now at the tip of {@code base}
   * @throws SandboxError 409 if the head moved, 405 if the merge conflicts
   */
  String merge(String owner, String name, String base, String head, @Nullable String expectedHeadSha,
      MergeMethod method, String title, String message) {
    synchronized (lock(owner, name)) {
      Repository repo = repo(owner, name);
      ObjectId baseTip = ObjectId.fromString(tip(owner, name, base).orElseThrow(SandboxError::notFound));
      ObjectId headTip = ObjectId.fromString(tip(owner, name, head).orElseThrow(SandboxError::notFound));
      if (expectedHeadSha != null && !headTip.name().equalsIgnoreCase(expectedHeadSha)) {
        throw new SandboxError(409, "Head branch was modified. Review and try the merge again.",
            "https://docs.github.com/rest/pulls/pulls#merge-a-pull-request");
      }
      String full = message.isEmpty() ? title : title + "\n\n" + message;
      try (ObjectInserter inserter = repo.newObjectInserter(); RevWalk walk = new RevWalk(repo)) {
        ObjectId result = switch (method) {
          case MERGE -> insertCommit(inserter, mergedTree(repo, baseTip, headTip), full, committer(),
              List.of(baseTip, headTip));
          case SQUASH -> insertCommit(inserter, mergedTree(repo, baseTip, headTip), full,
              walk.parseCommit(headTip).getAuthorIdent(), List.of(baseTip));
          case REBASE -> rebase(repo, inserter, walk, baseTip, headTip);
        };
        inserter.flush();
        updateRef(repo, base, baseTip, result);
        return result.name();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private ObjectId mergedTree(Repository repo, ObjectId baseTip, ObjectId headTip) throws IOException {
    ResolveMerger merger = (ResolveMerger) MergeStrategy.RECURSIVE.newMerger(repo, true);
    if (!merger.merge(baseTip, headTip)) {
      throw notMergeable();
    }
    return merger.getResultTreeId();
  }

  /** Replays each commit of the head (oldest first) onto the base, keeping authors and messages. */
  private ObjectId rebase(Repository repo, ObjectInserter inserter, RevWalk walk, ObjectId baseTip,
      ObjectId headTip) throws IOException {
    ObjectId current = baseTip;
    for (RevCommit commit : newCommits(repo, baseTip, headTip)) {
      RevCommit parsed = walk.parseCommit(commit);
      ResolveMerger merger = (ResolveMerger) MergeStrategy.RECURSIVE.newMerger(repo, true);
      if (parsed.getParentCount() > 0) {
        merger.setBase(walk.parseCommit(parsed.getParent(0)).getTree());
      }
      if (!merger.merge(current, parsed)) {
        throw notMergeable();
      }
      current = insertCommit(inserter, merger.getResultTreeId(), parsed.getFullMessage(),
          parsed.getAuthorIdent(), List.of(current));
    }
    return current;
  }

  private static SandboxError notMergeable() {
    return new SandboxError(405, "Pull Request is not mergeable",
        "https://docs.github.com/rest/pulls/pulls#merge-a-pull-request");
  }

  /** Commits reachable from head but not from base, oldest first. */
  private static List<RevCommit> newCommits(Repository repo, ObjectId baseTip, ObjectId headTip) throws IOException {
    try (RevWalk walk = new RevWalk(repo)) {
      walk.sort(RevSort.TOPO);
      walk.sort(RevSort.REVERSE, true);
      walk.markStart(walk.parseCommit(headTip));
      walk.markUninteresting(walk.parseCommit(baseTip));
      List<RevCommit> commits = new ArrayList<>();
      for (RevCommit c : walk) {
        commits.add(c);
      }
      return commits;
    }
  }

  private static @Nullable RevCommit mergeBase(Repository repo, ObjectId a, ObjectId b) throws IOException {
    try (RevWalk walk = new RevWalk(repo)) {
      walk.setRevFilter(RevFilter.MERGE_BASE);
      walk.markStart(walk.parseCommit(a));
      walk.markStart(walk.parseCommit(b));
      RevCommit base = walk.next();
      return base == null ? null : walk.parseCommit(base);
    }
  }

  private ObjectId insertCommit(ObjectInserter inserter, ObjectId tree, String message, PersonIdent author,
      List<ObjectId> parents) throws IOException {
    CommitBuilder commit = new CommitBuilder();
    commit.setTreeId(tree);
    commit.setParentIds(parents);
    commit.setAuthor(author);
    commit.setCommitter(committer());
    commit.setMessage(message);
    return inserter.insert(commit);
  }

  private static void updateRef(Repository repo, String branch, @Nullable ObjectId expected, ObjectId target)
      throws IOException {
    RefUpdate update = repo.updateRef(Constants.R_HEADS + branch);
    update.setExpectedOldObjectId(expected == null ? ObjectId.zeroId() : expected);
    update.setNewObjectId(target);
    update.setRefLogMessage("sandbox", false);
    RefUpdate.Result result = update.update();
    switch (result) {
      case NEW, FAST_FORWARD, FORCED, NO_CHANGE -> { }
      default -> throw new IllegalStateException("branch " + branch + " was not updated: " + result);
    }
  }

  /** The file or directory at {@code path} in {@code ref} (a branch, tag or commit SHA). */
  Optional<Content> content(String owner, String name, String ref, String path) {
    Repository repo = repo(owner, name);
    try (RevWalk walk = new RevWalk(repo); ObjectReader reader = repo.newObjectReader()) {
      ObjectId commitId = repo.resolve(ref + "^{commit}");
      if (commitId == null) {
        return Optional.empty();
      }
      RevCommit commit = walk.parseCommit(commitId);
      String clean = path.replaceAll("^/+|/+$", "");
      ObjectId treeId;
      if (clean.isEmpty()) {
        treeId = commit.getTree();
      } else {
        try (TreeWalk at = TreeWalk.forPath(repo, clean, commit.getTree())) {
          if (at == null) {
            return Optional.empty();
          }
          if (!FileMode.TREE.equals(at.getFileMode(0))) {
            ObjectId blob = at.getObjectId(0);
            return Optional.of(new File(clean, blob.name(), reader.open(blob).getBytes()));
          }
          treeId = at.getObjectId(0);
        }
      }
      List<Entry> entries = new ArrayList<>();
      try (TreeWalk walkDir = new TreeWalk(repo)) {
        walkDir.addTree(treeId);
        walkDir.setRecursive(false);
        while (walkDir.next()) {
          String child = clean.isEmpty() ? walkDir.getNameString() : clean + "/" + walkDir.getNameString();
          boolean dir = FileMode.TREE.equals(walkDir.getFileMode(0));
          ObjectId id = walkDir.getObjectId(0);
          entries.add(new Entry(child, dir ? "dir" : "file", id.name(),
              dir ? 0 : reader.getObjectSize(id, Constants.OBJ_BLOB)));
        }
      }
      return Optional.of(new Directory(clean, entries));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The commit with the given SHA: its parents, for tests and callers that check merges. */
  List<String> parents(String owner, String name, String sha) {
    try (RevWalk walk = new RevWalk(repo(owner, name))) {
      RevCommit commit = walk.parseCommit(ObjectId.fromString(sha));
      List<String> parents = new ArrayList<>();
      for (RevCommit p : commit.getParents()) {
        parents.add(p.name());
      }
      return parents;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    open.values().forEach(Repository::close);
    open.clear();
    closeQuietly(owner); // releases the lock
  }
}
