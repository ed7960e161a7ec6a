package dev.authoraization.dependency;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.stereotype.Component;

/**
 * Bounds how long a connection to PostgreSQL may take to log in: the JDBC driver waits for ever by
 * default ({@code loginTimeout=0}), so a server that accepts connections and then never answers (a
 * hung server, a proxy whose backend is gone) kept a start in Flyway for ever, deaf to SIGTERM,
 * and kept every new pool connection waiting while the engine ran. The driver's own setting is
 * added to a PostgreSQL URL that sets none (neither in the URL nor in {@code
 * spring.datasource.hikari.data-source-properties}); the URL is kept as given otherwise, and the
 * cluster's LISTEN connection, opened from the same URL, gets it too.
 */
@Component
public class PostgresLoginTimeout implements BeanPostProcessor {

  static final int SECONDS = 10;

  @Override
  public Object postProcessBeforeInitialization(Object bean, String beanName) {
    // a loginTimeout among the driver properties counts as set (the URL's would override it)
    if (bean instanceof HikariDataSource pool && pool.getJdbcUrl() != null
        && !pool.getDataSourceProperties().containsKey("loginTimeout")) {
      pool.setJdbcUrl(bounded(pool.getJdbcUrl()));
    }
    return bean;
  }

  /** The URL with {@code loginTimeout} when it is a PostgreSQL URL without one; any other URL as it is. */
  static String bounded(String url) {
    if (!url.startsWith("jdbc:postgresql:") || url.matches("(?s).*[?&]loginTimeout=.*")) {
      return url;
    }
    return url + (url.contains("?") ? "&" : "?") + "loginTimeout=" + SECONDS;
  }
}
