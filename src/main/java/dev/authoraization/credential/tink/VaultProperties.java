package dev.authoraization.credential.tink;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The built-in vault ({@code engine.vault.*}).
 *
 * @param enabled whether the engine keeps secrets in its own encrypted store
 * @param keysetPath where the Tink keyset is kept when the {@value VaultKeyset#ENV} environment
 *     variable is not set; created at first start, readable by the owner only
 * @param rotationBatchSize how many rows {@code vault rotate} re-encrypts per transaction
 */
@ConfigurationProperties("engine.vault")
public record VaultProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("./data/vault-keyset.json") Path keysetPath,
    @DefaultValue("100") int rotationBatchSize) {

  public VaultProperties {
    if (rotationBatchSize < 1) {
      throw new IllegalArgumentException("engine.vault.rotation-batch-size must be at least 1, not " + rotationBatchSize);
    }
  }
}
