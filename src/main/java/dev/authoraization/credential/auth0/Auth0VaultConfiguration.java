package dev.authoraization.credential.auth0;

import dev.authoraization.credential.SubjectTokens;
import dev.authoraization.identity.BearerSubjectTokens;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** {@code engine.github.credentials=auth0}: GitHub calls run with the user's own token from Auth0. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "engine.github.credentials", havingValue = "auth0")
@EnableConfigurationProperties(Auth0Properties.class)
public class Auth0VaultConfiguration {

  /** The callers' verified bearer tokens; also a servlet filter that remembers them until they expire. */
  @Bean
  @ConditionalOnMissingBean(SubjectTokens.class)
  BearerSubjectTokens bearerSubjectTokens() {
    return new BearerSubjectTokens();
  }

  @Bean
  Auth0TokenVault auth0TokenVault(Auth0Properties properties, SubjectTokens subjectTokens) {
    properties.validate();
    return new Auth0TokenVault(properties, subjectTokens,
        Auth0TokenVault.httpClient(properties), Clock.systemUTC());
  }
}
