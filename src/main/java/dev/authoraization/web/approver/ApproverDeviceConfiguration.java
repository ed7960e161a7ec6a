package dev.authoraization.web.approver;

import dev.authoraization.approval.passkey.PasskeyProperties;
import dev.authoraization.approval.passkey.PasskeyStore;
import dev.authoraization.approval.passkey.Passkeys;
import jakarta.servlet.DispatcherType;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;

/**
 * The approver device: pages under {@code /approvals} and {@code /passkeys}, their static files
 * under {@code /approver}. Browsers sign in through the embedded provider's form login
 * ({@code /login}, chain {@code @Order(5)}), whose session this chain reads; only users with role
 * {@code approver} get past it. Sessions and CSRF tokens are on here (unlike the bearer-only REST
 * door), and the Content-Security-Policy allows no inline script.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "engine.identity.embedded.enabled", matchIfMissing = true)
class ApproverDeviceConfiguration {

  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
      + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  @Bean
  @Order(7)
  SecurityFilterChain approverDevice(HttpSecurity http) throws Exception {
    http.securityMatcher("/approvals", "/approvals/**", "/passkeys/**", "/approver/**")
        .authorizeHttpRequests(requests -> requests
            // the 403 page is reached by a forward from the access-denied handler
            .dispatcherTypeMatchers(DispatcherType.FORWARD, DispatcherType.ERROR).permitAll()
            .requestMatchers("/approver/**").permitAll()
            .anyRequest().hasRole("approver"))
        .exceptionHandling(errors -> errors
            .authenticationEntryPoint(new LoginUrlAuthenticationEntryPoint("/login"))
            .accessDeniedPage("/approvals/forbidden"))
        .sessionManagement(session -> session.sessionFixation(fixation -> fixation.changeSessionId()))
        .headers(headers -> headers
            .contentSecurityPolicy(csp -> csp.policyDirectives(CSP))
            .frameOptions(frame -> frame.deny())
            .referrerPolicy(referrer -> referrer.policy(ReferrerPolicy.NO_REFERRER)));
    return http.build();
  }

  @Bean
  PasskeyStore passkeyStore(JdbcClient jdbc) {
    return new PasskeyStore(jdbc);
  }

  @Bean
  Passkeys passkeys(PasskeyStore store, PasskeyProperties properties, Clock clock) {
    return new Passkeys(store, properties, clock);
  }
}
