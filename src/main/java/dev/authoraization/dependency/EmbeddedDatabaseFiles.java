package dev.authoraization.dependency;

import java.nio.file.Path;
import java.util.Set;
import org.h2.api.ErrorCode;
import org.h2.jdbc.JdbcException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;

/**
 * Says in a few lines why the embedded H2 database could not be opened, instead of the forty lines
 * of bean creation failures around it. By default it lives in {@code ./data}, relative to the
 * directory the engine was started from, so a start from a directory the engine may not write to
 * (a service user in {@code /opt/engine}, a read-only image) or where {@code data} is a file failed
 * in Flyway with H2's message at the bottom of the chain.
 */
public final class EmbeddedDatabaseFiles implements FailureAnalyzer {

  /** H2's errors for a database file that cannot be created, written or read. */
  private static final Set<Integer> FILES = Set.of(ErrorCode.FILE_CREATION_FAILED_1, ErrorCode.IO_EXCEPTION_1,
      ErrorCode.IO_EXCEPTION_2, ErrorCode.DATABASE_IS_READ_ONLY, ErrorCode.FILE_NOT_FOUND_1);

  @Override
  public @Nullable FailureAnalysis analyze(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof JdbcException h2 && FILES.contains(h2.getErrorCode())) {
        return new FailureAnalysis("The embedded database could not be opened: " + h2.getOriginalMessage()
            + ". By default it is kept in ./data, relative to the directory the engine was started from ("
            + Path.of("").toAbsolutePath() + ").",
            "Start the engine from a directory it may write to, or give it one: "
                + "--spring.datasource.url=jdbc:h2:file:/var/lib/engine/engine;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;"
                + "DEFAULT_NULL_ORDERING=HIGH;AUTO_SERVER=TRUE;QUERY_CACHE_SIZE=64;WRITE_DELAY=0 (the default's "
                + "options), with engine.identity.embedded.key-dir, "
                + "engine.vault.keyset-path and engine.sandbox.data-dir beside it, or use PostgreSQL "
                + "(README, \"Configuration\").", cause);
      }
    }
    return null;
  }
}
