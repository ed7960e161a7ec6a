package dev.authoraization.dependency;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PostgresLoginTimeoutTests {

  @Test
  void aPostgresUrlWithoutALoginTimeoutGetsOne() {
    assertThat(PostgresLoginTimeout.bounded("jdbc:postgresql://db.example.com/engine"))
        .isEqualTo("jdbc:postgresql://db.example.com/engine?loginTimeout=10");
    assertThat(PostgresLoginTimeout.bounded("jdbc:postgresql://db/engine?sslmode=require"))
        .isEqualTo("jdbc:postgresql://db/engine?sslmode=require&loginTimeout=10");
  }

  @Test
  void aLoginTimeoutTheOperatorSetIsKept() {
    assertThat(PostgresLoginTimeout.bounded("jdbc:postgresql://db/engine?loginTimeout=30"))
        .isEqualTo("jdbc:postgresql://db/engine?loginTimeout=30");
    assertThat(PostgresLoginTimeout.bounded("jdbc:postgresql://db/engine?ssl=true&loginTimeout=3"))
        .isEqualTo("jdbc:postgresql://db/engine?ssl=true&loginTimeout=3");
  }

  @Test
  void aLoginTimeoutAmongTheDriverPropertiesIsKeptToo() {
    try (com.zaxxer.hikari.HikariDataSource pool = new com.zaxxer.hikari.HikariDataSource()) {
      pool.setJdbcUrl("jdbc:postgresql://db/engine");
      pool.addDataSourceProperty("loginTimeout", "30");

      new PostgresLoginTimeout().postProcessBeforeInitialization(pool, "dataSource");

      assertThat(pool.getJdbcUrl()).isEqualTo("jdbc:postgresql://db/engine");
    }
    try (com.zaxxer.hikari.HikariDataSource pool = new com.zaxxer.hikari.HikariDataSource()) {
      pool.setJdbcUrl("jdbc:postgresql://db/engine");

      new PostgresLoginTimeout().postProcessBeforeInitialization(pool, "dataSource");

      assertThat(pool.getJdbcUrl()).isEqualTo("jdbc:postgresql://db/engine?loginTimeout=10");
    }
  }

  @Test
  void otherDatabasesAreLeftAlone() {
    String h2 = "jdbc:h2:file:./data/engine;MODE=PostgreSQL;AUTO_SERVER=TRUE";
    assertThat(PostgresLoginTimeout.bounded(h2)).isEqualTo(h2);
  }
}
