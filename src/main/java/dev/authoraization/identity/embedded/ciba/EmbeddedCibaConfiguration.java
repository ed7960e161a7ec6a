package dev.authoraization.identity.embedded.ciba;

import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.oidc.OidcProviderConfiguration;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenGenerator;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The embedded provider's CIBA endpoint: {@code /bc-authorize} (its own stateless chain, client
 * authentication in the endpoint), the CIBA grant at the token endpoint and its discovery metadata
 * (wired by {@code EmbeddedOpenIdProvider} through {@link #tokenEndpoint} and {@link #discovery}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "engine.identity.embedded.enabled", matchIfMissing = true)
public class EmbeddedCibaConfiguration {

  /** Client settings of a registered CIBA client (CIBA Core 4, client metadata): "poll" or "ping". */
  public static final String DELIVERY_MODE = "backchannel_token_delivery_mode";
  /** Client setting: where a ping-mode client is notified. */
  public static final String NOTIFICATION_ENDPOINT = "backchannel_client_notification_endpoint";

  @Bean
  @Order(2)
  SecurityFilterChain backchannelAuthentication(HttpSecurity http) throws Exception {
    http.securityMatcher(BackchannelAuthenticationEndpoint.PATH)
        .authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
        // a machine-to-machine endpoint with client authentication in the request: no session, no CSRF
        .csrf(csrf -> csrf.disable())
        .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
    return http.build();
  }

  @Bean
  BackchannelRequests backchannelRequests(JdbcClient jdbc, Clock clock) {
    return new BackchannelRequests(jdbc, clock);
  }

  @Bean
  BackchannelDecisions backchannelDecisions(BackchannelRequests requests) {
    return new BackchannelDecisions(requests);
  }


  /** Adds the CIBA grant to the token endpoint of {@code EmbeddedOpenIdProvider}'s chain. */
  public static void tokenEndpoint(
      org.springframework.security.config.annotation.web.configurers.oauth2.server.authorization.OAuth2TokenEndpointConfigurer token,
      BackchannelRequests requests, OAuth2AuthorizationService authorizations, OAuth2TokenGenerator<?> tokens,
      Clock clock) {
    token.accessTokenRequestConverter(new CibaGrantConverter())
        .authenticationProvider(new CibaGrantProvider(requests, authorizations, tokens, clock));
  }

  /** CIBA Core 4: what the discovery document says about the endpoint. */
  public static void discovery(OidcProviderConfiguration.Builder metadata, String issuer) {
    metadata.claim("backchannel_authentication_endpoint", issuer + BackchannelAuthenticationEndpoint.PATH)
        .claim("backchannel_token_delivery_modes_supported", java.util.List.of("poll", "ping"))
        .claim("backchannel_user_code_parameter_supported", false)
        .grantType(CibaGrant.TYPE.getValue());
  }
}
