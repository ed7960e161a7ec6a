package dev.authoraization.identity.embedded;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import dev.authoraization.identity.BuiltInIssuer;
import dev.authoraization.identity.IdentityProperties;
import dev.authoraization.identity.TrustedIssuers;
import dev.authoraization.identity.embedded.ciba.BackchannelRequests;
import dev.authoraization.identity.embedded.ciba.CibaIdTokenClaims;
import dev.authoraization.identity.embedded.ciba.EmbeddedCibaConfiguration;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.security.oauth2.server.authorization.JdbcOAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.JdbcOAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.authentication.ClientSecretAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.client.JdbcRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.token.DelegatingOAuth2TokenGenerator;
import org.springframework.security.oauth2.server.authorization.token.JwtGenerator;
import org.springframework.security.oauth2.server.authorization.token.OAuth2AccessTokenGenerator;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenGenerator;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;
import org.springframework.util.function.SingletonSupplier;

/**
 * The engine's built-in OpenID provider (OpenID Connect Core 1.0 and Discovery 1.0, OAuth 2.0
 * RFC 6749 with PKCE RFC 7636), served by Spring Authorization Server: authorization code with
 * PKCE for {@code engine-web}, client credentials for {@code demo-agent}, refresh tokens, JWKS and
 * userinfo. Clients, authorizations and users are kept in the database, the signing key in a file,
 * so tokens and refresh tokens survive restarts and can be shared by several nodes.
 *
 * <p>Its tokens are trusted by the REST door through the {@link BuiltInIssuer} bean, which checks
 * them with the same keys in process. Off with {@code engine.identity.embedded.enabled=false}
 * when an external issuer is configured.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "engine.identity.embedded.enabled", matchIfMissing = true)
public class EmbeddedOpenIdProvider {

  /** The engine's resource identifier: the {@code aud} of every access token issued here. */
  public static final String AUDIENCE = "authoraization-engine";
  public static final String ROLES_CLAIM = "roles";

  /** The protocol endpoints: discovery, JWKS, authorize, token, userinfo, revocation... */
  @Bean
  @Order(1)
  SecurityFilterChain authorizationServer(HttpSecurity http, BuiltInIssuer issuer,
      RegisteredClientRepository clients, EmbeddedIdentityProperties properties, BackchannelRequests cibaRequests,
      OAuth2AuthorizationService authorizations, OAuth2TokenGenerator<?> tokens, Clock clock) throws Exception {
    http.oauth2AuthorizationServer(server -> {
      http.securityMatcher(server.getEndpointsMatcher());
      // CIBA (docs/adr/0012-embedded-ciba-endpoint.md): the grant at the token endpoint, and discovery
      server.tokenEndpoint(token -> EmbeddedCibaConfiguration.tokenEndpoint(token, cibaRequests, authorizations,
          tokens, clock));
      server.oidc(oidc -> oidc.providerConfigurationEndpoint(discovery -> discovery.providerConfigurationCustomizer(
              metadata -> EmbeddedCibaConfiguration.discovery(metadata, properties.issuer()))))
          .clientAuthentication(authentication -> authentication
              .authenticationConverters(converters -> converters.add(new PublicClientRefresh.Converter()))
              .authenticationProviders(providers -> {
                providers.forEach(provider -> {
                  if (provider instanceof ClientSecretAuthenticationProvider secrets) {
                    secrets.setPasswordEncoder(clientSecrets());
                  }
                });
                providers.addFirst(new PublicClientRefresh.Provider(clients));
              }));
    })
        .authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
        // userinfo is called with an access token of this provider, checked like at the REST door
        .oauth2ResourceServer(server -> server.jwt(jwt -> jwt.decoder(issuer.decoder())))
        // a browser that is not logged in is sent to the login form, and back after it
        .exceptionHandling(errors -> errors.defaultAuthenticationEntryPointFor(
            new LoginUrlAuthenticationEntryPoint("/login"), new MediaTypeRequestMatcher(MediaType.TEXT_HTML)));
    return http.build();
  }

  /**
   * The login form for the authorization code flow (Spring Security's default page), with CSRF
   * protection and session fixation protection left on. Ordered after the protocol endpoints and
   * before the REST door and the catch-all chain.
   */
  @Bean
  @Order(5)
  SecurityFilterChain login(HttpSecurity http, EmbeddedUsers users) throws Exception {
    http.securityMatcher("/login", "/logout", "/default-ui.css")
        .authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
        .userDetailsService(users)
        .formLogin(form -> {})
        .logout(logout -> {});
    return http.build();
  }

  @Bean
  SigningKeyStore signingKeyStore(EmbeddedIdentityProperties properties) {
    return new FileSigningKeyStore(properties.keyDir()).prepareInBackground();
  }

  @Bean
  JWKSource<SecurityContext> jwkSource(SigningKeyStore keys) {
    // The JWKS endpoint publishes only the public half (JWKSet.toString() drops private parts).
    // Built on first use: at first start the key is still being generated while the engine starts.
    SingletonSupplier<JWKSource<SecurityContext>> set = SingletonSupplier.of(() -> new ImmutableJWKSet<>(new JWKSet(keys.signingKey())));
    return (selector, context) -> set.obtain().get(selector, context);
  }

  /** The signing key exists before the engine is up, as when it was generated in line. */
  @Bean
  SmartInitializingSingleton signingKeyCreated(SigningKeyStore keys) {
    return keys::signingKey;
  }

  @Bean
  BuiltInIssuer embeddedIssuer(EmbeddedIdentityProperties properties, JWKSource<SecurityContext> keys) {
    return new EmbeddedIssuer(new IdentityProperties.Issuer(properties.issuer(), null, null, List.of(AUDIENCE),
        ROLES_CLAIM, List.of("RS256"), null, null), keys);
  }

  /** Verifies this provider's tokens with its own keys, in process (no HTTP to itself). */
  record EmbeddedIssuer(IdentityProperties.Issuer issuer, JWKSource<SecurityContext> keys) implements BuiltInIssuer {

    @Override
    public JwtDecoder decoder() {
      NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSource(keys).jwsAlgorithm(SignatureAlgorithm.RS256).build();
      decoder.setJwtValidator(TrustedIssuers.validator(issuer));
      return decoder;
    }
  }

  /**
   * The {@code JwtDecoder} bean, for anything that asks for one. Without it Spring Boot would
   * register a decoder over the same keys that checks only the token's times, not its issuer or
   * audience; this one applies the REST door's checks.
   */
  @Bean
  JwtDecoder embeddedJwtDecoder(BuiltInIssuer issuer) {
    return issuer.decoder();
  }

  @Bean
  AuthorizationServerSettings authorizationServerSettings(EmbeddedIdentityProperties properties) {
    return AuthorizationServerSettings.builder().issuer(properties.issuer()).build();
  }

  @Bean
  RegisteredClientRepository registeredClientRepository(JdbcOperations jdbc) {
    return new JdbcRegisteredClientRepository(jdbc);
  }

  @Bean
  OAuth2AuthorizationService authorizationService(JdbcOperations jdbc, RegisteredClientRepository clients) {
    return new JdbcOAuth2AuthorizationService(jdbc, clients);
  }

  @Bean
  OAuth2AuthorizationConsentService authorizationConsentService(JdbcOperations jdbc,
      RegisteredClientRepository clients) {
    return new JdbcOAuth2AuthorizationConsentService(jdbc, clients);
  }

  @Bean
  OAuth2TokenGenerator<?> tokenGenerator(JWKSource<SecurityContext> keys, EmbeddedUsers users) {
    JwtGenerator jwt = new JwtGenerator(new NimbusJwtEncoder(keys));
    EngineTokenCustomizer engine = new EngineTokenCustomizer(users);
    CibaIdTokenClaims ciba = new CibaIdTokenClaims();
    jwt.setJwtCustomizer(context -> {
      engine.customize(context);
      ciba.customize(context);
    });
    return new DelegatingOAuth2TokenGenerator(jwt, new OAuth2AccessTokenGenerator(),
        new PublicClientRefresh.TokenGenerator());
  }

  @Bean
  EmbeddedUsers embeddedUsers(JdbcClient jdbc) {
    return new EmbeddedUsers(jdbc);
  }

  /**
   * How client secrets are checked at the token and backchannel endpoints. The engine's own CIBA
   * client secret is 256 random bits, hashed with bcrypt at cost 4: for a secret that cannot be
   * guessed the work factor adds nothing, and at cost 10 every client authentication took about
   * 100 ms of CPU, which the CIBA client pays at every poll (bench/load/CibaWakeUp.java). Spring
   * Authorization Server re-hashes a secret whose cost is below its encoder's on every successful
   * authentication; with the default encoder that turned cost 4 into 10 at the first poll. This
   * encoder verifies any bcrypt cost and upgrades nothing. Users' passwords keep the default cost
   * (FirstStart), as does a configured demo agent secret.
   */
  public static PasswordEncoder clientSecrets() {
    return new DelegatingPasswordEncoder("bcrypt", Map.of("bcrypt", new BCryptPasswordEncoder(4)));
  }

  /** Users and clients exist before the server takes its first request. */
  @Bean
  SmartInitializingSingleton embeddedFirstStart(EmbeddedIdentityProperties properties, EmbeddedUsers users,
      RegisteredClientRepository clients) {
    PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();
    return () -> new FirstStart(properties, users, clients, encoder, System.out).run();
  }
}
