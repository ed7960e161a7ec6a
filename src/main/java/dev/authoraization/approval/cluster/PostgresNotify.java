package dev.authoraization.approval.cluster;

import dev.authoraization.approval.ApprovalState;
import dev.authoraization.approval.Approvals;
import java.sql.DatabaseMetaData;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;
import org.springframework.stereotype.Component;

/**
 * Sends {@code NOTIFY engine_approvals, '<id>:<state>:<node>'} in the transaction of each
 * transition; PostgreSQL delivers it to every listening session only if that transaction
 * commits (<a href="https://www.postgresql.org/docs/current/sql-notify.html">NOTIFY</a>). On any
 * other database it does nothing: H2 runs a single node.
 */
@Component
public class PostgresNotify implements Approvals.Broadcast {

  public static final String CHANNEL = "engine_approvals";

  private final JdbcTemplate jdbc;
  private final boolean postgres;
  private final String node = UUID.randomUUID().toString();

  public PostgresNotify(DataSource dataSource) {
    this.jdbc = new JdbcTemplate(dataSource);
    this.postgres = isPostgres(dataSource);
  }

  /** Whether the engine runs on PostgreSQL, where several nodes may share the database. */
  @Override
  public boolean severalNodes() {
    return postgres;
  }

  /** This node's id in notifications, so that it can skip its own. */
  public String node() {
    return node;
  }

  @Override
  public void changed(String id, ApprovalState state) {
    if (postgres) {
      // the caller's transaction is bound to this DataSource, so this runs on its connection
      jdbc.queryForList("SELECT pg_notify(?, ?)", CHANNEL, id + ":" + state.name() + ":" + node);
    }
  }

  static boolean isPostgres(DataSource dataSource) {
    try {
      String product = JdbcUtils.extractDatabaseMetaData(dataSource, DatabaseMetaData::getDatabaseProductName);
      return "PostgreSQL".equalsIgnoreCase(product);
    } catch (MetaDataAccessException e) {
      return false;
    }
  }
}
