package dev.authoraization.web.chat;

import dev.authoraization.call.Caller;
import dev.authoraization.identity.TrustedIssuers;
import dev.authoraization.identity.embedded.EmbeddedIdentityProperties;
import dev.authoraization.identity.embedded.FirstStart;
import dev.authoraization.web.session.SignedInPrincipal;
import jakarta.servlet.DispatcherType;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserRequest;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.InMemoryClientRegistrationRepository;
import org.springframework.security.oauth2.client.userinfo.OAuth2UserService;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizationRequestResolver;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestRedirectFilter;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestCustomizers;
import org.springframework.session.config.SessionRepositoryCustomizer;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;

/**
 * The chat and audit pages: a session signed in with OpenID Connect (authorization code with
 * PKCE) against the configured issuer, registration id {@value #REGISTRATION}. The access token
 * stays in the server-side session and is checked like a REST caller's to find the user's roles;
 * the browser gets only the session cookie. CSRF tokens guard every POST; the
 * Content-Security-Policy allows no inline script or style and no framing.
 *
 * <p>The sign-in keeps its own key in the session ({@value #CONTEXT_KEY}), so it never replaces
 * the embedded provider's form-login session that the approver pages read.
 */
@Configuration(proxyBeanMethods = false)
class ChatSecurityConfiguration {

  static final String REGISTRATION = "engine";
  static final String CONTEXT_KEY = "ENGINE_WEB_UI_SECURITY_CONTEXT";
  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  private static final Logger log = LoggerFactory.getLogger(ChatSecurityConfiguration.class);

  @Bean
  @Order(6)
  SecurityFilterChain webUi(HttpSecurity http, ObjectProvider<ClientRegistrationRepository> registrations,
      TrustedIssuers issuers) throws Exception {
    HttpSessionSecurityContextRepository contexts = new HttpSessionSecurityContextRepository();
    contexts.setSpringSecurityContextKey(CONTEXT_KEY);
    http.securityMatcher("/", "/chat", "/chat/**", "/audit", "/audit/**", "/ui/**", "/webjars/**",
            "/oauth2/authorization/**", "/login/oauth2/code/**")
        .securityContext(context -> context.securityContextRepository(contexts))
        .headers(headers -> headers
            .contentSecurityPolicy(csp -> csp.policyDirectives(CSP))
            .frameOptions(frame -> frame.deny())
            .referrerPolicy(referrer -> referrer.policy(ReferrerPolicy.NO_REFERRER)))
        .sessionManagement(session -> session.sessionFixation(fixation -> fixation.changeSessionId()));
    ClientRegistrationRepository repository = registrations.getIfAvailable();
    if (repository == null) {
      log.warn("The web UI is off: no OpenID Connect client is configured. Keep the embedded provider on, or set "
          + "spring.security.oauth2.client.registration.{}.* and .provider.{}.issuer-uri", REGISTRATION,
          REGISTRATION);
      http.authorizeHttpRequests(requests -> requests.anyRequest().denyAll());
      return http.build();
    }
    DefaultOAuth2AuthorizationRequestResolver resolver = new DefaultOAuth2AuthorizationRequestResolver(repository,
        OAuth2AuthorizationRequestRedirectFilter.DEFAULT_AUTHORIZATION_REQUEST_BASE_URI);
    // PKCE for confidential clients too (OAuth 2.1); public clients get it anyway
    resolver.setAuthorizationRequestCustomizer(OAuth2AuthorizationRequestCustomizers.withPkce());
    http.authorizeHttpRequests(requests -> requests
            .dispatcherTypeMatchers(DispatcherType.ERROR).permitAll()
            .requestMatchers("/ui/**", "/webjars/**", "/chat/signed-out").permitAll()
            .requestMatchers("/audit", "/audit/**").hasAnyRole("approver", "admin")
            .anyRequest().authenticated())
        .oauth2Login(login -> login
            .authorizationEndpoint(endpoint -> endpoint.authorizationRequestResolver(resolver))
            .userInfoEndpoint(user -> user.oidcUserService(users(issuers)))
            .defaultSuccessUrl("/chat"))
        .logout(logout -> logout.logoutUrl("/chat/logout").logoutSuccessUrl("/chat/signed-out"));
    return http.build();
  }

  /**
   * Sessions are found by user ({@code spring_session.principal_name}) whichever sign-in they hold:
   * the standard key (the approver pages', and the built-in provider's login) first, then the
   * chat's own key. The chat's user is named by the ID token's subject.
   */
  @Bean
  SessionRepositoryCustomizer<JdbcIndexedSessionRepository> sessionsNamedBySignIn() {
    return repository -> repository.setIndexResolver(new SignedInPrincipal(CONTEXT_KEY));
  }

  /**
   * The signed-in user's roles come from the access token, checked as the REST door checks it
   * (ID tokens carry no roles); a token the engine would not trust ends the sign-in.
   */
  static OAuth2UserService<OidcUserRequest, OidcUser> users(TrustedIssuers issuers) {
    OidcUserService oidc = new OidcUserService();
    return request -> {
      OidcUser user = oidc.loadUser(request);
      Caller caller;
      try {
        caller = issuers.caller(request.getAccessToken().getTokenValue());
      } catch (org.springframework.security.core.AuthenticationException e) {
        throw new OAuth2AuthenticationException(new OAuth2Error("invalid_token",
            "The provider's access token is not one the engine trusts (" + e.getMessage() + "). Add its issuer and "
                + "audience to engine.identity.issuers.", null), e);
      }
      if (!caller.subject().equals(user.getSubject())) {
        throw new OAuth2AuthenticationException(new OAuth2Error("invalid_token",
            "The access token and the ID token name different users.", null));
      }
      List<SimpleGrantedAuthority> roles = caller.roles().stream().sorted()
          .map(role -> new SimpleGrantedAuthority("ROLE_" + role)).toList();
      return new ChatUser(caller, roles, user.getIdToken(), user.getUserInfo());
    };
  }

  /**
   * The embedded provider's {@code engine-web} client (public, PKCE), built from its issuer
   * rather than discovered: the provider is this very server, not up yet when beans are made.
   */
  @Bean
  @ConditionalOnBooleanProperty(name = "engine.identity.embedded.enabled", matchIfMissing = true)
  ClientRegistrationRepository embeddedWebClient(EmbeddedIdentityProperties properties) {
    String issuer = properties.issuer();
    return new InMemoryClientRegistrationRepository(ClientRegistration.withRegistrationId(REGISTRATION)
        .clientId(FirstStart.WEB_CLIENT)
        .clientName("Built-in sign-in")
        .clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
        .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
        .redirectUri("{baseUrl}/login/oauth2/code/{registrationId}")
        .scope("openid", "profile")
        .authorizationUri(issuer + "/oauth2/authorize")
        .tokenUri(issuer + "/oauth2/token")
        .jwkSetUri(issuer + "/oauth2/jwks")
        .issuerUri(issuer)
        .userNameAttributeName("sub")
        .build());
  }
}
