package dev.authoraization.approval.passkey;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The signature path is exercised with a real authenticator in web/approver/ApproverDeviceIT. */
class StoredAssertionTests {

  @Test
  void evidenceWhoseChallengeDoesNotMatchItsTextIsRejected() {
    ObjectNode details = JsonNodeFactory.instance.objectNode();
    details.put("challenge_text", "approve:" + "3f".repeat(32) + ":req-1:nonce-1");
    details.put("challenge", "AAAA");

    assertThat(StoredAssertion.problem(details)).contains("the challenge is not the SHA-256 of the challenge text");
  }

  @Test
  void emptyEvidenceIsRejectedNotThrown() {
    assertThat(StoredAssertion.problem(JsonNodeFactory.instance.objectNode())).isPresent();
  }
}
