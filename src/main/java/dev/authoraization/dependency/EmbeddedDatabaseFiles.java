package dev.authoraization.dependency;

import java.nio.file.Path;
import java.util.Set;
import org.h2.api.ErrorCode;
import org.h2.jdbc.JdbcException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.env.Environment;

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

  /** H2's URL as configured: the suggested one keeps its options, so this holds no copy of the default. */
  private final @Nullable String url;

  /** Boot hands failure analyzers the application's environment ({@code null} before there is one). */
  public EmbeddedDatabaseFiles(@Nullable Environment environment) {
    this.url = environment == null ? null : environment.getProperty("spring.datasource.url");
  }

  @Override
  public @Nullable FailureAnalysis analyze(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof JdbcException h2 && FILES.contains(h2.getErrorCode())) {
        return new FailureAnalysis("The embedded database could not be opened: " + h2.getOriginalMessage()
            + ". By default it is kept in ./data, relative to the directory the engine was started from ("
            + Path.of("").toAbsolutePath() + ").",
            "Start the engine from a directory it may write to, or give it one: "
                + "--spring.datasource.url=jdbc:h2:file:/var/lib/engine/engine" + options()
                + " (the configured options), with engine.identity.embedded.key-dir, "
                + "engine.vault.keyset-path and engine.sandbox.data-dir beside it, or use PostgreSQL "
                + "(README, \"Configuration\").", cause);
      }
    }
    return null;
  }

  /** The options of the configured URL, from its first {@code ;}. */
  private String options() {
    int options = url == null ? -1 : url.indexOf(';');
    return options < 0 ? "" : url.substring(options);
  }
}
