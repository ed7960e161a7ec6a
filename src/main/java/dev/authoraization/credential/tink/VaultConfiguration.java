package dev.authoraization.credential.tink;

import dev.authoraization.credential.CredentialVault;
import dev.authoraization.credential.LinkedTokenVault;
import java.time.Clock;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * The built-in vault, on unless {@code engine.vault.enabled=false}: the keyset is opened (or
 * created) and checked once, at start-up. With {@code engine.credentials.linked-tokens.enabled},
 * GitHub calls use the caller's own linked token first.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "engine.vault.enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(VaultProperties.class)
public class VaultConfiguration {

  @Bean
  VaultKeyset vaultKeyset(VaultProperties properties) {
    return VaultKeyset.open(properties.keysetPath(), System.getenv());
  }

  @Bean
  VaultStore vaultStore(DataSource dataSource, VaultKeyset keyset, ObjectProvider<Clock> clock) {
    return new VaultStore(dataSource, keyset, clock.getIfAvailable(Clock::systemUTC));
  }

  /** First among the GitHub vaults, so the gateway asks it before the service vault it falls back to. */
  @Bean
  @Order(Ordered.HIGHEST_PRECEDENCE)
  @ConditionalOnProperty(name = "engine.credentials.linked-tokens.enabled", havingValue = "true")
  LinkedTokenVault linkedTokenVault(VaultStore store, ObjectProvider<CredentialVault> vaults,
      @Value("${engine.credentials.fallback.enabled:false}") boolean fallback, ObjectProvider<Clock> clock) {
    return new LinkedTokenVault(store, () -> vaults.orderedStream()
        .filter(vault -> !(vault instanceof LinkedTokenVault) && vault.supports(LinkedTokenVault.KIND))
        .findFirst(),
        fallback, clock.getIfAvailable(Clock::systemUTC));
  }
}
