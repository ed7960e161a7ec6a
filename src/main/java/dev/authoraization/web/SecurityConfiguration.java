package dev.authoraization.web;

import dev.authoraization.identity.BuiltInIssuer;
import dev.authoraization.identity.IdentityProperties;
import dev.authoraization.identity.TrustedIssuers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.header.HeaderWriterFilter;

/**
 * The REST door accepts only bearer tokens from trusted issuers. It keeps no session and sets
 * no cookie, so there is no ambient credential for a cross-site request to ride on (hence no CSRF
 * token on {@code /api/**}). CORS stays closed: no cross-origin configuration is registered.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

  @Bean
  TrustedIssuers trustedIssuers(IdentityProperties properties, ObjectProvider<BuiltInIssuer> builtIn) {
    List<IdentityProperties.Issuer> issuers = new ArrayList<>(properties.issuers());
    Map<String, Supplier<JwtDecoder>> decoders = new LinkedHashMap<>();
    builtIn.orderedStream().forEach(own -> {
      issuers.add(own.issuer());
      decoders.put(own.issuer().uri(), own::decoder);
    });
    return new TrustedIssuers(issuers, decoders);
  }

  /**
   * No Spring Security observations: a timer and a span for each of ~15 filters on every request,
   * and the decorator that wraps each filter to make them, were a tenth of the engine's CPU at 32
   * concurrent calls (bench/RESULTS.md, issue 8). The request itself stays observed
   * ({@code http.server.requests}) and so does every tool call.
   */
  @Bean
  static SecurityObservationSettings noSecurityObservations() {
    return SecurityObservationSettings.noObservations();
  }

  /**
   * Every filter chain writes its security headers (CSP, frame options, no-store...) before the
   * request is handled instead of when the response commits. An asynchronous response (a long
   * poll, a chat stream, an MCP stream) commits on another thread while the request thread is
   * still leaving the filter chain, and by default both would then write the headers into the
   * same response at once.
   */
  @Bean
  static BeanPostProcessor headersWrittenFirst() {
    return new BeanPostProcessor() {
      @Override
      public Object postProcessAfterInitialization(Object bean, String name) {
        if (bean instanceof SecurityFilterChain chain) {
          chain.getFilters().stream().filter(HeaderWriterFilter.class::isInstance)
              .forEach(filter -> ((HeaderWriterFilter) filter).setShouldWriteHeadersEagerly(true));
        }
        return bean;
      }
    };
  }

  @Bean
  @Order(10)
  SecurityFilterChain api(HttpSecurity http, TrustedIssuers issuers, ProblemResponses problems) throws Exception {
    http.securityMatcher("/api/**")
        .authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
        .oauth2ResourceServer(server -> server
            .authenticationManagerResolver(issuers.resolver())
            .authenticationEntryPoint(problems::unauthenticated)
            .accessDeniedHandler(problems::forbidden))
        .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .csrf(csrf -> csrf.disable())
        .requestCache(cache -> cache.disable());
    return http.build();
  }

  @Bean
  @Order(100)
  SecurityFilterChain rest(HttpSecurity http, ProblemResponses problems) throws Exception {
    http.authorizeHttpRequests(requests -> requests
            .requestMatchers("/actuator/health/**", "/actuator/health", "/actuator/info", "/actuator/prometheus",
                "/v3/api-docs/**", "/v3/api-docs", "/swagger-ui/**", "/swagger-ui.html", "/error")
            .permitAll()
            .anyRequest().denyAll())
        .exceptionHandling(errors -> errors.authenticationEntryPoint(problems::unauthenticated)
            .accessDeniedHandler(problems::forbidden))
        .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .csrf(csrf -> csrf.disable());
    return http.build();
  }
}
