package dev.authoraization.credential;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.credential.auth0.Auth0TokenVault;
import dev.authoraization.credential.auth0.Auth0VaultConfiguration;
import dev.authoraization.credential.githubapp.GitHubCredentialConfiguration;
import dev.authoraization.credential.githubapp.PersonalTokenVault;
import dev.authoraization.credential.keycloak.KeycloakBrokerVault;
import dev.authoraization.credential.keycloak.KeycloakVaultConfiguration;
import dev.authoraization.tool.github.GitHubConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@code engine.github.credentials} picks exactly one GitHub vault, and checks its settings at start. */
class FederatedVaultConfigurationTests {

  private final ApplicationContextRunner context = new ApplicationContextRunner()
      .withUserConfiguration(GitHubConfiguration.class, GitHubCredentialConfiguration.class,
          Auth0VaultConfiguration.class, KeycloakVaultConfiguration.class);

  @Test
  void auth0ChoiceDefinesOnlyTheAuth0Vault() {
    context.withPropertyValues("engine.github.credentials=auth0", "engine.credentials.auth0.domain=example.eu.auth0.com",
            "engine.credentials.auth0.client-id=engine", "engine.credentials.auth0.client-secret=s3cret")
        .run(started -> {
          assertThat(started).hasNotFailed().hasSingleBean(CredentialVault.class).hasSingleBean(Auth0TokenVault.class)
              .hasSingleBean(dev.authoraization.identity.BearerSubjectTokens.class);
          assertThat(started.getBean(Auth0TokenVault.class).toString()).doesNotContain("s3cret");
        });
  }

  @Test
  void auth0ChoiceWithoutClientFailsAtStartNamingTheProperty() {
    context.withPropertyValues("engine.github.credentials=auth0", "engine.credentials.auth0.domain=example.eu.auth0.com")
        .run(started -> assertThat(started).hasFailed().getFailure().rootCause()
            .hasMessageContaining("engine.credentials.auth0.client-id"));
  }

  @Test
  void keycloakChoiceDefinesOnlyTheBrokerVault() {
    context.withPropertyValues("engine.github.credentials=keycloak",
            "engine.credentials.keycloak.issuer=https://sso.example.com/realms/engine")
        .run(started -> assertThat(started).hasNotFailed().hasSingleBean(CredentialVault.class)
            .hasSingleBean(KeycloakBrokerVault.class));
  }

  @Test
  void keycloakChoiceWithoutIssuerFailsAtStartNamingTheProperty() {
    context.withPropertyValues("engine.github.credentials=keycloak")
        .run(started -> assertThat(started).hasFailed().getFailure().rootCause()
            .hasMessageContaining("engine.credentials.keycloak.issuer"));
  }

  @Test
  void tokenChoiceStillDefinesOnlyThePersonalTokenVaultAndRemembersNoBearerTokens() {
    context.withPropertyValues("engine.github.credentials=token", "engine.github.token=ghp_x")
        .run(started -> assertThat(started).hasSingleBean(CredentialVault.class).hasSingleBean(PersonalTokenVault.class)
            .doesNotHaveBean(SubjectTokens.class));
  }
}
