package dev.authoraization.credential.tink;

import dev.authoraization.credential.CredentialVault;
import dev.authoraization.credential.LinkedTokenVault;
import java.time.Clock;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.util.function.SingletonSupplier;

/**
 * The built-in vault, on unless {@code engine.vault.enabled=false}: the keyset is opened (or
 * created) and checked once, at start-up. With {@code engine.credentials.linked-tokens.enabled},
 * GitHub calls use the caller's own linked token first.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "engine.vault.enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(VaultProperties.class)
public class VaultConfiguration {

  /** After the migrations: a missing keyset file is made anew only while the vault is empty. */
  @Bean
  @DependsOnDatabaseInitialization
  VaultKeyset vaultKeyset(VaultProperties properties, DataSource dataSource) {
    return VaultKeyset.open(properties.keysetPath(), System.getenv(), () -> VaultStore.sealed(dataSource));
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
    // Looked up once, at the first call that needs it: the vault beans do not change after start-up,
    // and resolving them per call was a visible share of a read call's CPU (bench/RESULTS.md).
    SingletonSupplier<Optional<CredentialVault>> service = SingletonSupplier.of(() -> vaults.orderedStream()
        .filter(vault -> !(vault instanceof LinkedTokenVault) && vault.supports(LinkedTokenVault.KIND))
        .findFirst());
    return new LinkedTokenVault(store, service::obtain, fallback, clock.getIfAvailable(Clock::systemUTC));
  }
}
