package dev.authoraization.approval.passkey;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.approval.ApprovalRequest.Verdict;
import dev.authoraization.call.Fingerprint;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ActionChallengeTests {

  static final Fingerprint ACTION = new Fingerprint("3f".repeat(32));

  @Test
  void challengeIsTheSha256OfVerdictFingerprintApprovalAndNonce() {
    ActionChallenge challenge = new ActionChallenge(Verdict.APPROVE, ACTION, "req-1", "nonce-1");

    assertThat(challenge.text()).isEqualTo("approve:" + "3f".repeat(32) + ":req-1:nonce-1");
    assertThat(challenge.base64url()).isEqualTo(Base64.getUrlEncoder().withoutPadding()
        .encodeToString(java.util.HexFormat.of().parseHex(Fingerprint.sha256(challenge.text()))));
  }

  @Test
  void changingAnyPartChangesTheChallenge() {
    String base = new ActionChallenge(Verdict.APPROVE, ACTION, "req-1", "nonce-1").base64url();

    assertThat(new ActionChallenge(Verdict.DENY, ACTION, "req-1", "nonce-1").base64url()).isNotEqualTo(base);
    assertThat(new ActionChallenge(Verdict.APPROVE, new Fingerprint("40".repeat(32)), "req-1", "nonce-1").base64url())
        .isNotEqualTo(base);
    assertThat(new ActionChallenge(Verdict.APPROVE, ACTION, "req-2", "nonce-1").base64url()).isNotEqualTo(base);
    assertThat(new ActionChallenge(Verdict.APPROVE, ACTION, "req-1", "nonce-2").base64url()).isNotEqualTo(base);
  }

  @Test
  void noncesAreFreshAndCarry256Bits() {
    String one = ActionChallenge.newNonce();

    assertThat(one).isNotEqualTo(ActionChallenge.newNonce());
    assertThat(Base64.getUrlDecoder().decode(one)).hasSize(32);
  }
}
