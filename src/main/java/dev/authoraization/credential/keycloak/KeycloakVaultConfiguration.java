package dev.authoraization.credential.keycloak;

import dev.authoraization.credential.SubjectTokens;
import dev.authoraization.identity.BearerSubjectTokens;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** {@code engine.github.credentials=keycloak}: GitHub calls run with the user's token stored by Keycloak. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "engine.github.credentials", havingValue = "keycloak")
@EnableConfigurationProperties(KeycloakBrokerProperties.class)
public class KeycloakVaultConfiguration {

  /** The callers' verified bearer tokens; also a servlet filter that remembers them until they expire. */
  @Bean
  @ConditionalOnMissingBean(SubjectTokens.class)
  BearerSubjectTokens bearerSubjectTokens() {
    return new BearerSubjectTokens();
  }

  @Bean
  KeycloakBrokerVault keycloakBrokerVault(KeycloakBrokerProperties properties,
      SubjectTokens subjectTokens) {
    properties.validate();
    return new KeycloakBrokerVault(properties, subjectTokens,
        KeycloakBrokerVault.httpClient(properties), Clock.systemUTC());
  }
}
