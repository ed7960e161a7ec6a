package dev.authoraization.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.support.TestDatabases;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class AuditConfigurationTests {

  final ApplicationContextRunner context = new ApplicationContextRunner()
      .withUserConfiguration(AuditConfiguration.class)
      .withBean(DataSource.class, TestDatabases::h2);

  @Test
  void withoutSettingsTheDefaultsApply() {
    context.run(c -> {
      assertThat(c).hasSingleBean(AuditLog.class);
      AuditProperties properties = c.getBean(AuditProperties.class);
      assertThat(properties.maskedFields()).contains("password", "client_secret", "apiKey")
          .hasSize(12);
      assertThat(properties.appendTimeout()).isEqualTo(Duration.ofSeconds(10));
      assertThat(properties.batchSize()).isEqualTo(256);
    });
  }

  @Test
  void configuredMaskedFieldsAreUsedByTheLog() {
    context.withPropertyValues("engine.audit.masked-fields=ssn,iban",
        "engine.audit.append-timeout=2s", "engine.audit.batch-size=16").run(c -> {
          AuditLog log = c.getBean(AuditLog.class);
          log.append(AuditEntry.event("call.decided", "d-1")
              .tool("hr.pay", JdbcAuditLogTests.JSON.readTree("{\"iban\":\"DE00-canary\"}"))
              .build());

          assertThat(log.recent(1).getFirst().entry().arguments().get("iban").asString())
              .isEqualTo("[redacted]");
          assertThat(c.getBean(AuditProperties.class).appendTimeout())
              .isEqualTo(Duration.ofSeconds(2));
        });
  }
}
