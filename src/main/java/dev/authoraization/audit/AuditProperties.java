package dev.authoraization.audit;

import java.time.Duration;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the audit log ({@code engine.audit.*}).
 *
 * @param maskedFields object keys (any depth, any case) whose values are stored as "[redacted]"
 * @param appendTimeout how long an append waits to be durable before it fails closed
 * @param batchSize how many queued appends one transaction writes at most (group commit)
 */
@ConfigurationProperties(prefix = "engine.audit")
public record AuditProperties(
    @DefaultValue({"password", "token", "secret", "authorization", "private_key", "privateKey",
        "client_secret", "api_key", "apiKey", "access_token", "refresh_token", "id_token"})
    Set<String> maskedFields,
    @DefaultValue("10s") Duration appendTimeout,
    @DefaultValue("256") int batchSize) {

  public AuditProperties {
    maskedFields = Set.copyOf(maskedFields);
    if (appendTimeout.isNegative() || appendTimeout.isZero()) {
      throw new IllegalArgumentException("engine.audit.append-timeout must be positive");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("engine.audit.batch-size must be at least 1");
    }
  }

  /** The defaults, for code that builds a log without Spring. */
  public static AuditProperties defaults() {
    return new AuditProperties(
        Set.of("password", "token", "secret", "authorization", "private_key", "privateKey",
            "client_secret", "api_key", "apiKey", "access_token", "refresh_token", "id_token"),
        Duration.ofSeconds(10), 256);
  }

  public AuditProperties withAppendTimeout(Duration timeout) {
    return new AuditProperties(maskedFields, timeout, batchSize);
  }

  public AuditProperties withMaskedFields(Set<String> fields) {
    return new AuditProperties(fields, appendTimeout, batchSize);
  }
}
