package dev.authoraization.dependency;

import dev.authoraization.identity.TrustedIssuers;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;

/**
 * {@code /actuator/health} is open (load balancers and probes have no token), but a bearer token
 * from a trusted issuer is read when sent: a caller with the role of
 * {@code management.endpoint.health.roles} (default {@code operator}) sees each component's
 * details, everyone else statuses only.
 */
@Configuration(proxyBeanMethods = false)
class HealthSecurity {

  @Bean
  @Order(20)
  SecurityFilterChain health(HttpSecurity http, TrustedIssuers issuers) throws Exception {
    http.securityMatcher("/actuator/health", "/actuator/health/**")
        .authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
        .oauth2ResourceServer(server -> server.authenticationManagerResolver(issuers.resolver()))
        .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .csrf(csrf -> csrf.disable())
        .requestCache(cache -> cache.disable());
    return http.build();
  }
}
