package dev.authoraization.sandbox;

import dev.authoraization.credential.githubapp.AppKeySource;
import dev.authoraization.credential.githubapp.PemFileKeySource;
import java.security.interfaces.RSAPrivateKey;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Wires the sandbox forge when {@code engine.sandbox.enabled} is true (the default): its own
 * security filter chain for {@code /sandbox/github/**} (GitHub-style tokens are checked by
 * {@link SandboxAuthInterceptor}, not by Spring Security), the stores, and the demo data.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "engine.sandbox.enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(SandboxProperties.class)
public class SandboxConfiguration {

  private static Clock clock(ObjectProvider<Clock> clock) {
    return clock.getIfAvailable(Clock::systemUTC);
  }

  @Bean
  SandboxApp sandboxApp(SandboxProperties properties, ObjectProvider<Clock> clock) {
    return new SandboxApp(properties, clock(clock));
  }

  /**
   * The engine's GitHub App credentials use the sandbox App's key, read from the file the
   * sandbox wrote, as they would read a real App's key. A configured
   * {@code engine.github.app.private-key-path} takes precedence.
   */
  @Bean
  AppKeySource sandboxAppKeySource(SandboxApp app) {
    // Read on first use: at first start the key may still be generated while the engine starts.
    SingletonSupplier<RSAPrivateKey> key = SingletonSupplier.of(() -> new PemFileKeySource(app.privateKeyPath()).privateKey());
    return key::obtain;
  }

  /** The key pair exists before the engine is up, as when it was generated in line. */
  @Bean
  SmartInitializingSingleton sandboxAppKeyWritten(SandboxApp app) {
    return app::awaitKey;
  }

  @Bean
  SandboxTokens sandboxTokens(ObjectProvider<Clock> clock) {
    return new SandboxTokens(clock(clock));
  }

  @Bean
  SandboxStore sandboxStore(JdbcTemplate jdbc, PlatformTransactionManager transactions, ObjectProvider<Clock> clock) {
    return new SandboxStore(jdbc, new TransactionTemplate(transactions), clock(clock));
  }

  @Bean(destroyMethod = "close")
  SandboxGit sandboxGit(SandboxProperties properties, ObjectProvider<Clock> clock) {
    return new SandboxGit(properties.reposDir(), clock(clock));
  }

  @Bean
  SandboxDemo sandboxDemo(SandboxStore store, SandboxGit git, PlatformTransactionManager transactions,
      ObjectProvider<Clock> clock) {
    SandboxDemo demo = new SandboxDemo(store, git, new TransactionTemplate(transactions), clock(clock));
    demo.seedIfEmpty();
    return demo;
  }

  @Bean
  WebMvcConfigurer sandboxInterceptors(SandboxApp app, SandboxTokens tokens, SandboxStore store,
      SandboxProperties properties) {
    SandboxAuthInterceptor interceptor = new SandboxAuthInterceptor(app, tokens, store);
    return new WebMvcConfigurer() {
      @Override
      public void addInterceptors(InterceptorRegistry registry) {
        if (properties.latency().isPositive()) { // first: refusals wait as long as answers
          registry.addInterceptor(new SandboxLatency(properties.latency()))
              .addPathPatterns(SandboxController.BASE + "/**");
        }
        registry.addInterceptor(interceptor).addPathPatterns(SandboxController.BASE + "/**");
      }
    };
  }

  /**
   * The sandbox answers GitHub clients, which send GitHub tokens, not the engine's OIDC tokens:
   * this chain only makes sure Spring Security stays out of the way (no CSRF, no session, no
   * bearer-token parsing) for {@code /sandbox/github/**}. Ordered before the engine's main chain.
   */
  @Bean
  @Order(1)
  SecurityFilterChain sandboxSecurityFilterChain(HttpSecurity http) throws Exception {
    http.securityMatcher(SandboxController.BASE + "/**")
        .csrf(csrf -> csrf.disable())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .requestCache(cache -> cache.disable())
        .authorizeHttpRequests(auth -> auth.anyRequest().permitAll());
    return http.build();
  }
}
