package dev.authoraization.audit;

import javax.sql.DataSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The audit log over the application's database; its writer thread stops with the context. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AuditProperties.class)
public class AuditConfiguration {

  @Bean
  @DependsOnDatabaseInitialization
  JdbcAuditLog auditLog(DataSource dataSource, AuditProperties properties) {
    return new JdbcAuditLog(dataSource, properties);
  }
}
