package dev.authoraization.dependency;

import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import java.util.Map;
import java.util.Optional;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * The engine's own database unreachable, too slow or refusing connections (Hikari's connection
 * timeout, a query timeout, a lost connection), told to a caller of any door the same way: 503
 * {@code dependency_unavailable} naming the database, not an internal error with SQL in it.
 * Whatever needed the database did not happen; calls that act write their audit record first,
 * so nothing was executed either.
 */
public final class DatabaseOutage {

  /** How long a caller is asked to wait before retrying. */
  public static final long RETRY_AFTER_SECONDS = 5;

  private DatabaseOutage() {}

  /** Whether {@code e} says the database is unavailable (as opposed to a bug or a constraint). */
  public static boolean is(Throwable e) {
    return e instanceof DataAccessResourceFailureException || e instanceof TransientDataAccessException
        || e instanceof RecoverableDataAccessException || e instanceof CannotCreateTransactionException;
  }

  /** The caller's error for a database outage, or empty when {@code e} is something else. */
  public static Optional<GatewayException> of(Throwable e) {
    if (!is(e)) {
      return Optional.empty();
    }
    return Optional.of(new GatewayException(ErrorCode.DEPENDENCY_UNAVAILABLE, Dependency.DATABASE.label()
        + " unavailable: the engine's database could not be reached or did not answer in time, so nothing was "
        + "executed; retry after " + RETRY_AFTER_SECONDS + " s. If it keeps failing, ask an operator to check "
        + "the database.", Map.of("dependency", "database", "retry_after_seconds", Long.toString(RETRY_AFTER_SECONDS))));
  }
}
