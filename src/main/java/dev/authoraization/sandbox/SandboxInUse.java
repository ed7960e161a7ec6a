package dev.authoraization.sandbox;

import java.nio.file.Path;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Another engine process writes the sandbox repositories this one was given: two engines started
 * from one directory (the second on another port), or two configured with one
 * {@code engine.sandbox.data-dir}. The sandbox orders "check the head SHA, then merge" with locks in
 * its own memory and, at start, deletes the ref locks an interrupted write left behind, so a second
 * writer could merge a moved head or break the first one's writes.
 */
public final class SandboxInUse extends IllegalStateException {

  private final Path reposDir;
  private final String owner;

  SandboxInUse(Path reposDir, String owner) {
    super("The sandbox repositories under " + reposDir + " are in use by another engine (" + owner + ")");
    this.reposDir = reposDir;
    this.owner = owner;
  }

  /** The start fails with what to do instead of the bean creation failures around it. */
  public static final class Analyzer extends AbstractFailureAnalyzer<SandboxInUse> {

    @Override
    protected FailureAnalysis analyze(Throwable root, SandboxInUse cause) {
      return new FailureAnalysis("The sandbox forge's repositories under " + cause.reposDir
          + " are in use by another engine (" + cause.owner + "). Two engines cannot share a sandbox: it "
          + "serializes merges in its own memory.",
          "Stop the other engine, or start this one from another directory or with its own "
              + "engine.sandbox.data-dir. A second node of the same installation runs with "
              + "engine.sandbox.enabled=false and reaches the first one's sandbox through engine.github.api-url "
              + "(docs/sandbox.md).", cause);
    }
  }
}
