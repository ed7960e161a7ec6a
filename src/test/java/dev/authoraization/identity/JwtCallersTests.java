package dev.authoraization.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.call.Caller;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.Jwt;

class JwtCallersTests {

  private static Jwt.Builder token() {
    return Jwt.withTokenValue("token").header("alg", "RS256").issuer("https://issuer.example/")
        .subject("auth0|alice").claim("aud", List.of("https://engine.example/api"));
  }

  @Test
  void rolesFromAuth0NamespacedClaimWithDotsAndSlashes() {
    Jwt jwt = token().claim("https://authoraization.dev/roles", List.of("developer", "approver")).build();

    Caller caller = JwtCallers.caller(jwt, "https://authoraization.dev/roles");

    assertThat(caller.roles()).containsExactlyInAnyOrder("developer", "approver");
  }

  @Test
  void rolesFromKeycloakNestedRealmAccess() {
    Jwt jwt = token().claim("realm_access", Map.of("roles", List.of("approver", "offline_access"))).build();

    Caller caller = JwtCallers.caller(jwt, "realm_access.roles");

    assertThat(caller.roles()).containsExactlyInAnyOrder("approver", "offline_access");
  }

  @Test
  void rolesFromOktaGroupsClaim() {
    Jwt jwt = token().claim("groups", List.of("Everyone", "approver")).build();

    assertThat(JwtCallers.caller(jwt, "groups").roles()).containsExactlyInAnyOrder("Everyone", "approver");
  }

  @Test
  void rolesFromSpaceSeparatedString() {
    Jwt jwt = token().claim("roles", " developer  approver ").build();

    assertThat(JwtCallers.caller(jwt, "roles").roles()).containsExactlyInAnyOrder("developer", "approver");
  }

  @Test
  void namespacedClaimMissingThenNoRolesRatherThanAWalkIntoOtherClaims() {
    // "https://authoraization" is not a map: the dotted walk must stop, not throw or guess
    Jwt jwt = token().claim("https://authoraization", "approver").claim("roles", List.of("approver")).build();

    assertThat(JwtCallers.caller(jwt, "https://authoraization.dev/roles").roles()).isEmpty();
  }

  @Test
  void nestedPathThroughANonMapThenNoRoles() {
    Jwt jwt = token().claim("realm_access", List.of("approver")).build();

    assertThat(JwtCallers.caller(jwt, "realm_access.roles").roles()).isEmpty();
  }

  @Test
  void agentIsTheAuthorizedPartyWhenItDiffersFromTheSubject() {
    Jwt jwt = token().claim("azp", "chat-agent").build();

    assertThat(JwtCallers.caller(jwt, "roles").agent()).contains("chat-agent");
  }
}
