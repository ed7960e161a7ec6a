package dev.authoraization.identity;

import static dev.authoraization.support.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.support.EngineIT;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * The engine with its embedded OpenID provider switched off, as with Keycloak, Auth0 or Okta:
 * it starts (nothing that only the embedded provider supplies is required: the approver device,
 * the embedded CIBA endpoint) and the REST door serves callers of the external issuer. Two engine
 * processes in {@code TwoNodesIT} run this way too, but a missing bean shows there only as a
 * start-up timeout; here it fails with Spring's own message.
 */
@TestPropertySource(properties = "engine.identity.embedded.enabled=false")
class ExternalIssuerOnlyIT extends EngineIT {

  @Test
  void withoutTheEmbeddedProviderTheEngineStartsAndServesTheExternalIssuersCallers() {
    Response listed = get("/api/v1/tools", token("alice", "developer"));

    assertThat(listed.status()).isEqualTo(200);
    assertThat(get("/.well-known/openid-configuration", null).status()).isIn(401, 404);
    assertThat(get("/approvals", null).status()).isIn(401, 404);
  }
}
