package dev.authoraization.credential.githubapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.authoraization.call.Caller;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.credential.Credential;
import dev.authoraization.credential.CredentialNeed;
import dev.authoraization.credential.CredentialRequest;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PersonalTokenVaultTests {

  private static final Caller ALICE = Caller.of("alice", "https://issuer.test", Set.of("dev"));
  private final PersonalTokenVault vault = new PersonalTokenVault("ghp_CanaryPersonalToken000000000000000000", Clock.systemUTC());

  @Test
  void personalTokenIsFlaggedBroadBecauseItCannotBeNarrowed() {
    Credential credential = vault.issue(new CredentialRequest(
        new CredentialNeed("github", Map.of("issues", "read")), "demo/webapp", ALICE, false));

    assertThat(credential.broad()).isTrue();
    assertThat(credential.description()).isEqualTo("personal access token (broad: not narrowed to the call)");
    assertThat(credential.toString()).doesNotContain("ghp_");
    assertThat(vault.toString()).doesNotContain("ghp_");
  }

  @Test
  void otherKindsOfCredentialAreNotIssued() {
    assertThat(vault.supports("github")).isTrue();
    assertThat(vault.supports("slack")).isFalse();
    assertThatThrownBy(() -> vault.issue(new CredentialRequest(new CredentialNeed("slack", Map.of()), "x", ALICE, false)))
        .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_UNAVAILABLE));
  }
}
