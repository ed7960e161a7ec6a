package dev.authoraization.dependency;

import dev.authoraization.approval.ciba.CibaApprovalChannel;
import dev.authoraization.approval.ciba.CibaProperties;
import dev.authoraization.credential.CredentialVault;
import dev.authoraization.credential.githubapp.GitHubAppVault;
import dev.authoraization.identity.BuiltInIssuer;
import dev.authoraization.identity.IdentityProperties;
import dev.authoraization.tool.github.GitHubClient;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * One {@code /actuator/health} component per dependency besides the database (Spring Boot's
 * {@code db}): {@code github}, {@code vault}, {@code identity} and, when enabled, {@code ciba}.
 * None of them is in the readiness group: an outage there makes calls fail with a clear error,
 * while taking every node out of the load balancer would only hide it (docs/operations.md).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ResilienceProperties.class)
public class DependencyHealth {

  private final Probe probe = new Probe(Clock.systemUTC());

  /** The API root answers (without a token), and GitHub's circuit breaker is not open. */
  @Bean
  HealthIndicator githubHealthIndicator(GitHubClient github) {
    return () -> {
      Health answer = probe.check(github.apiUrl());
      return withCircuit(answer, github.guard());
    };
  }

  /** Each vault, and the circuit of the service it mints from (GitHub's token endpoint for the App vault). */
  @Bean
  HealthIndicator vaultHealthIndicator(List<CredentialVault> vaults, GitHubClient github) {
    return () -> {
      Health.Builder health = Health.up();
      List<String> names = new ArrayList<>();
      boolean mintsFromGitHub = false;
      for (CredentialVault vault : vaults) {
        names.add(vault.getClass().getSimpleName());
        mintsFromGitHub |= vault instanceof GitHubAppVault;
      }
      health.withDetail("vaults", names);
      if (mintsFromGitHub) {
        CircuitBreaker.State state = github.guard().state();
        health.withDetail("backend", github.apiUrl().getHost() + " (installation token endpoint)")
            .withDetail("circuit", state.name());
        if (state == CircuitBreaker.State.OPEN) {
          health.down();
        }
      }
      return health.build();
    };
  }

  /** Each trusted issuer's keys: fetched for a JWKS or discovery issuer, in process for the built-in one. */
  @Bean
  HealthIndicator identityHealthIndicator(IdentityProperties identity, ObjectProvider<BuiltInIssuer> builtIn) {
    return () -> {
      Map<String, Object> issuers = new LinkedHashMap<>();
      boolean down = false;
      for (IdentityProperties.Issuer issuer : identity.issuers()) {
        if (!issuer.publicKeyLocation().isEmpty()) {
          issuers.put(issuer.uri(), Map.of("status", "UP", "keys", "static public key"));
          continue;
        }
        URI keys = URI.create(!issuer.jwkSetUri().isEmpty() ? issuer.jwkSetUri()
            : issuer.uri().replaceAll("/$", "") + "/.well-known/openid-configuration");
        Health checked = probe.check(keys);
        down |= !checked.getStatus().equals(Status.UP);
        Map<String, Object> detail = new LinkedHashMap<>(checked.getDetails());
        detail.put("status", checked.getStatus().getCode());
        issuers.put(issuer.uri(), detail);
      }
      builtIn.orderedStream().forEach(own -> issuers.put(own.issuer().uri(), Map.of("status", "UP", "keys", "in process")));
      return (down ? Health.down() : Health.up()).withDetail("issuers", issuers).build();
    };
  }

  /** The CIBA provider's discovery document and its circuit, when the CIBA channel is on. */
  @Bean
  @ConditionalOnProperty(prefix = "engine.approvals.ciba", name = "enabled", havingValue = "true")
  HealthIndicator cibaHealthIndicator(CibaProperties ciba, CibaApprovalChannel channel) {
    return () -> withCircuit(
        probe.check(URI.create(ciba.issuer().replaceAll("/$", "") + "/.well-known/openid-configuration")),
        channel.guard());
  }

  private static Health withCircuit(Health answer, Guard guard) {
    CircuitBreaker.State state = guard.state();
    Health.Builder health = state == CircuitBreaker.State.OPEN ? Health.down() : Health.status(answer.getStatus());
    return health.withDetails(answer.getDetails()).withDetail("circuit", state.name())
        .withDetail("failure_rate", Math.max(0, guard.metrics().getFailureRate())).build();
  }
}
