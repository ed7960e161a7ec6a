package dev.authoraization.identity.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.identity.BuiltInIssuer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.web.SecurityFilterChain;

/** {@code engine.identity.embedded.enabled=false} removes the provider and the trust in it. */
class EmbeddedOpenIdProviderSwitchTests {

  @Test
  void whenDisabledThenNoBuiltInIssuerIsTrustedAndNoEndpointIsServed() {
    new ApplicationContextRunner()
        .withUserConfiguration(EmbeddedOpenIdProvider.class)
        .withPropertyValues("engine.identity.embedded.enabled=false")
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).doesNotHaveBean(BuiltInIssuer.class);
          assertThat(context).doesNotHaveBean(SecurityFilterChain.class);
          assertThat(context).doesNotHaveBean(RegisteredClientRepository.class);
          assertThat(context).doesNotHaveBean(SigningKeyStore.class);
        });
  }

  @Test
  void theIssuerOfTheBuiltInProviderExpectsTheEngineAudienceAndTheRolesClaim() {
    var properties = new EmbeddedIdentityProperties(null, "http://localhost:9999/", null, null, null, null, null, null);
    var issuer = new EmbeddedOpenIdProvider().embeddedIssuer(properties,
        (selector, context) -> List.of()).issuer();

    assertThat(properties.enabled()).isTrue();
    assertThat(issuer.uri()).isEqualTo("http://localhost:9999");
    assertThat(issuer.audiences()).containsExactly("authoraization-engine");
    assertThat(issuer.rolesClaim()).isEqualTo("roles");
    assertThat(issuer.algorithms()).containsExactly("RS256");
  }

  @Test
  void propertiesNeverPrintTheSecrets() {
    var properties = new EmbeddedIdentityProperties(true, null, null, null,
        List.of(new EmbeddedIdentityProperties.User("carol", "carol-password-123", null)),
        "agent-secret-value", null, null);

    assertThat(properties.toString()).doesNotContain("carol-password-123").doesNotContain("agent-secret-value");
    assertThat(properties.keyDir().toString()).isEqualTo("data/identity");
    assertThat(properties.redirectUris()).containsExactly("http://localhost:8080/login/oauth2/code/engine");
  }
}
