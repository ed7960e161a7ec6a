package dev.authoraization.approval.ciba;

import static dev.authoraization.support.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.approval.ApprovalChannel;
import dev.authoraization.support.EngineIT;
import dev.authoraization.support.KeycloakDevice;
import dev.authoraization.support.KeycloakServer;
import dev.authoraization.call.Fingerprint;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole engine with CIBA approvals switched on and Keycloak as the provider: an agent's merge
 * waits, the approver's phone is asked, the approver says yes there, and the merge runs. Nobody
 * posts a decision to the engine's REST API.
 */
class CibaEngineIT extends EngineIT {

  static final String ALICE = token("alice", "developer");

  @Autowired
  List<ApprovalChannel> channels;

  @DynamicPropertySource
  static void ciba(DynamicPropertyRegistry registry) {
    registry.add("engine.approvals.ciba.enabled", () -> "true");
    registry.add("engine.approvals.ciba.provider", () -> "keycloak");
    registry.add("engine.approvals.ciba.issuer", () -> KeycloakServer.get().issuer());
    registry.add("engine.approvals.ciba.client-id", () -> KeycloakServer.CLIENT_ID);
    registry.add("engine.approvals.ciba.client-secret", () -> KeycloakServer.get().clientSecret());
    registry.add("engine.approvals.ciba.approvers.approver[0]", () -> "admin");
    registry.add("engine.approvals.ciba.approvers.approver[1]", () -> "alice");
    registry.add("engine.approvals.ciba.default-interval", () -> "1s");
  }

  @Test
  void mergeWaitsForTheApproversPhoneThenRuns() {
    assertThat(channels).hasAtLeastOneElementOfType(CibaApprovalChannel.class);
    int before = tools.executions.get();

    Response parked = post("/api/v1/tool-calls",
        "{\"tool\":\"merge_change\",\"arguments\":{\"repo\":\"demo/ciba-e2e\",\"number\":7}}", ALICE);
    assertThat(parked.status()).isEqualTo(202);
    String id = parked.body().path("approval_id").asString();
    String code = BindingMessages.code(new Fingerprint(parked.body().path("fingerprint").asString()));

    KeycloakDevice device = KeycloakServer.get().device();
    KeycloakDevice.Notification onPhone = device.awaitNotification(n -> n.bindingMessage().equals(code));
    assertThat(onPhone.loginHint()).isEqualTo("admin");
    assertThat(onPhone.body().path("action_summary").asString()).isEqualTo("merge_change on demo/ciba-e2e");
    device.approve(onPhone);

    Response done = get("/api/v1/approvals/" + id + "?wait=20", ALICE);
    assertThat(done.body().path("state").asString()).isEqualTo("EXECUTED");
    assertThat(tools.executions.get()).isEqualTo(before + 1);
    assertThat(device.received()).as("the requester is not asked").noneMatch(n ->
        n.bindingMessage().equals(code) && n.loginHint().equals("alice"));
  }
}
