package dev.authoraization.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.authoraization.call.Caller;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LinkedTokenVaultTests {

  static final Caller ALICE = Caller.of("alice", "https://idp.example", Set.of("developer"));
  static final Caller BOB = Caller.of("bob", "https://idp.example", Set.of("developer"));
  static final CredentialNeed READ_ISSUES = new CredentialNeed("github", Map.of("issues", "read"));

  final Map<String, String> linked = new HashMap<>();
  final StoredSecrets secrets = (id, owner, kind) ->
      kind == SecretKind.LINKED_TOKEN && id.equals(LinkedTokenVault.SECRET_ID) ? Optional.ofNullable(linked.get(owner)) : Optional.empty();
  final AtomicInteger serviceIssued = new AtomicInteger();
  final AtomicInteger serviceClosed = new AtomicInteger();
  final CredentialVault service = new CredentialVault() {
    @Override
    public boolean supports(String kind) {
      return kind.equals("github");
    }

    @Override
    public Credential issue(CredentialRequest request) {
      serviceIssued.incrementAndGet();
      return new Credential("ghs_service-canary", "github-app installation token (repo " + request.resource() + ")", false,
          Instant.now().plusSeconds(3600), serviceClosed::incrementAndGet);
    }
  };

  private LinkedTokenVault vault(boolean fallback) {
    return new LinkedTokenVault(secrets, () -> Optional.of(service), fallback, Clock.systemUTC());
  }

  private static CredentialRequest request(Caller caller) {
    return new CredentialRequest(READ_ISSUES, "demo/webapp", caller, false);
  }

  @Test
  void callerWithALinkedTokenGetsTheirOwnTokenFlaggedBroad() {
    linked.put(ALICE.principal(), "gho_alice-canary");

    try (Credential credential = vault(true).issue(request(ALICE))) {
      assertThat(credential.secret()).isEqualTo("gho_alice-canary");
      assertThat(credential.broad()).isTrue();
      assertThat(credential.description()).startsWith("linked github token of alice").doesNotContain("gho_")
          .doesNotContain(LinkedTokenVault.FALLBACK_MARKER);
    }
    assertThat(serviceIssued).hasValue(0);
  }

  @Test
  void linkedTokenIsLookedUpByIssuerAndSubjectNotSubjectAlone() {
    linked.put(ALICE.principal(), "gho_alice-canary");
    Caller impostor = Caller.of("alice", "https://other-issuer.example", Set.of("developer"));

    assertThatThrownBy(() -> vault(false).issue(request(impostor))).isInstanceOf(GatewayException.class);
  }

  @Test
  void callerWithoutALinkedIdentityIsRefusedWhenTheFallbackIsOff() {
    assertThatThrownBy(() -> vault(false).issue(request(BOB)))
        .isInstanceOfSatisfying(GatewayException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_UNAVAILABLE);
          assertThat(e.getMessage()).contains("no linked GitHub identity").contains("engine.credentials.fallback.enabled");
        });
    assertThat(serviceIssued).hasValue(0);
  }

  @Test
  void callerWithoutALinkedIdentityGetsTheServiceCredentialMarkedAsFallback() {
    Credential credential = vault(true).issue(request(BOB));

    assertThat(credential.secret()).isEqualTo("ghs_service-canary");
    assertThat(credential.broad()).isFalse();
    assertThat(credential.description()).startsWith(LinkedTokenVault.FALLBACK_MARKER + ": bob has no linked github identity")
        .endsWith("github-app installation token (repo demo/webapp)");
    credential.close();
    assertThat(serviceClosed).as("closing the fallback closes (revokes) the service credential").hasValue(1);
  }

  @Test
  void fallbackWithoutAServiceVaultFailsClosed() {
    LinkedTokenVault vault = new LinkedTokenVault(secrets, Optional::empty, true, Clock.systemUTC());

    assertThatThrownBy(() -> vault.issue(request(BOB))).isInstanceOfSatisfying(GatewayException.class,
        e -> assertThat(e.getMessage()).contains("engine.github.credentials"));
  }

  @Test
  void otherKindsAreNotIssued() {
    assertThat(vault(true).supports("slack")).isFalse();
    assertThatThrownBy(() -> vault(true).issue(new CredentialRequest(new CredentialNeed("slack", Map.of()), "x", ALICE, false)))
        .isInstanceOf(GatewayException.class);
  }
}
