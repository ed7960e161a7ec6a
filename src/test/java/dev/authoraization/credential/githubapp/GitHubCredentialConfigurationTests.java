package dev.authoraization.credential.githubapp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.credential.CredentialVault;
import dev.authoraization.credential.SecretKind;
import dev.authoraization.credential.StoredSecrets;
import dev.authoraization.tool.github.GitHubConfiguration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class GitHubCredentialConfigurationTests {

  private final ApplicationContextRunner context = new ApplicationContextRunner()
      .withUserConfiguration(GitHubConfiguration.class, GitHubCredentialConfiguration.class);

  @Test
  void withoutAChoiceNoGitHubVaultIsDefined() {
    context.run(started -> assertThat(started).hasNotFailed().doesNotHaveBean(CredentialVault.class));
  }

  @Test
  void tokenChoiceWithATokenDefinesThePersonalTokenVault() {
    context.withPropertyValues("engine.github.credentials=token", "engine.github.token=ghp_x")
        .run(started -> assertThat(started).hasSingleBean(PersonalTokenVault.class).doesNotHaveBean(GitHubAppVault.class));
  }

  @Test
  void tokenChoiceWithoutATokenFailsAtStartWithTheMissingProperty() {
    context.withPropertyValues("engine.github.credentials=token")
        .run(started -> assertThat(started).hasFailed().getFailure().rootCause().hasMessageContaining("engine.github.token"));
  }

  @Test
  void appChoiceWithoutAKeyFileFailsAtStartNamingTheFile(@TempDir Path dir) {
    context.withPropertyValues("engine.github.credentials=app", "engine.github.app.app-id=1",
            "engine.github.app.private-key-path=" + dir.resolve("missing.pem"))
        .run(started -> assertThat(started).hasFailed().getFailure().rootCause()
            .hasMessageContaining("missing.pem").hasMessageContaining("does not exist"));
  }

  @Test
  void appChoiceWithAPkcs1KeyFailsAtStartSayingHowToConvertIt(@TempDir Path dir) throws Exception {
    Path key = Files.writeString(dir.resolve("app.pem"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    context.withPropertyValues("engine.github.credentials=app", "engine.github.app.app-id=1",
            "engine.github.app.private-key-path=" + key)
        .run(started -> assertThat(started).hasFailed().getFailure().rootCause().hasMessageContaining("openssl pkcs8 -topk8"));
  }

  @Test
  void appChoiceWithAKeyAndIdDefinesTheAppVault(@TempDir Path dir) throws Exception {
    Path key = Files.writeString(dir.resolve("app.pem"), TestAppKey.pkcs8Pem());
    context.withPropertyValues("engine.github.credentials=app", "engine.github.app.app-id=" + TestAppKey.APP_ID,
            "engine.github.app.private-key-path=" + key, "engine.github.api-url=https://ghe.example.com/api/v3")
        .run(started -> assertThat(started).hasSingleBean(GitHubAppVault.class).doesNotHaveBean(PersonalTokenVault.class));
  }

  @Test
  void appChoiceWithoutAnAppIdFailsAtStart(@TempDir Path dir) throws Exception {
    Path key = Files.writeString(dir.resolve("app.pem"), TestAppKey.pkcs8Pem());
    context.withPropertyValues("engine.github.credentials=app", "engine.github.app.private-key-path=" + key)
        .run(started -> assertThat(started).hasFailed().getFailure().rootCause().hasMessageContaining("engine.github.app.app-id"));
  }

  @Test
  void unknownChoiceFailsAtStart() {
    context.withPropertyValues("engine.github.credentials=pat")
        .run(started -> assertThat(started).hasFailed().getFailure().rootCause().hasMessageContaining("must be 'app'"));
  }

  @Test
  void appChoiceWithoutAKeyFileReadsTheKeyFromTheVault() {
    StoredSecrets vault = (id, owner, kind) -> id.equals(GitHubCredentialConfiguration.APP_KEY_ID)
        && owner.equals(StoredSecrets.SERVICE) && kind == SecretKind.GITHUB_APP_KEY ? Optional.of(TestAppKey.pkcs8Pem()) : Optional.empty();
    context.withBean(StoredSecrets.class, () -> vault)
        .withPropertyValues("engine.github.credentials=app", "engine.github.app.app-id=" + TestAppKey.APP_ID)
        .run(started -> assertThat(started).hasSingleBean(GitHubAppVault.class));
  }

  @Test
  void appChoiceWithNeitherAKeyFileNorAVaultEntryNamesBothWays() {
    context.withBean(StoredSecrets.class, () -> (id, owner, kind) -> Optional.empty())
        .withPropertyValues("engine.github.credentials=app", "engine.github.app.app-id=" + TestAppKey.APP_ID)
        .run(started -> assertThat(started).hasFailed().getFailure().rootCause()
            .hasMessageContaining("engine.github.app.private-key-path").hasMessageContaining("vault put --id github-app"));
  }

  @Test
  void tokenChoiceWithoutATokenPropertyReadsTheTokenFromTheVault() {
    StoredSecrets vault = (id, owner, kind) -> id.equals(GitHubCredentialConfiguration.PAT_ID)
        && owner.equals(StoredSecrets.SERVICE) && kind == SecretKind.PAT ? Optional.of("ghp_from_vault") : Optional.empty();
    context.withBean(StoredSecrets.class, () -> vault).withPropertyValues("engine.github.credentials=token")
        .run(started -> assertThat(started).hasSingleBean(PersonalTokenVault.class));
  }
}
