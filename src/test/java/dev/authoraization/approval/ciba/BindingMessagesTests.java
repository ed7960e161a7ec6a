package dev.authoraization.approval.ciba;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.approval.ciba.CibaProperties.Provider;
import dev.authoraization.call.Fingerprint;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.JsonNodeFactory;

class BindingMessagesTests {

  static final Fingerprint FINGERPRINT = Fingerprint.of("merge_change",
      JsonNodeFactory.instance.objectNode().put("repo", "acme/api").put("number", 42), Map.of("expected_head", "abc"));

  static Stream<String> oddSummaries() {
    return Stream.of("", " ", "Merge PR #42 into main of acme/api", "merge_change on demo/webapp",
        "x".repeat(500), "Zusammenführen: Ästhetik & Co. — “quoted” <script>alert(1)</script>",
        "tabs\tand\nnewlines\r\n", "🚀🚀🚀 emoji only 🚀", "::::,,,,####++++----____....", "a/b\\c;d'e\"f`g|h$i%j&k");
  }

  @Test
  void codeIsAzAndTheFirstEightHexDigitsOfTheFingerprintInUpperCase() {
    assertThat(BindingMessages.code(FINGERPRINT))
        .isEqualTo("AZ-" + FINGERPRINT.hex().substring(0, 8).toUpperCase())
        .matches(BindingMessages.KEYCLOAK)
        .matches(BindingMessages.AUTH0);
  }

  @ParameterizedTest
  @MethodSource("oddSummaries")
  void keycloakMessageAlwaysMatchesKeycloaksRuleWhateverTheSummary(String summary) {
    String message = BindingMessages.forProvider(Provider.KEYCLOAK, FINGERPRINT, summary);

    assertThat(message).matches(BindingMessages.KEYCLOAK).isEqualTo(BindingMessages.code(FINGERPRINT));
  }

  @ParameterizedTest
  @MethodSource("oddSummaries")
  void auth0MessageAlwaysMatchesAuth0sRuleAndKeepsTheCode(String summary) {
    String message = BindingMessages.forProvider(Provider.AUTH0, FINGERPRINT, summary);

    assertThat(message).matches(BindingMessages.AUTH0).hasSizeLessThanOrEqualTo(64)
        .startsWith(BindingMessages.code(FINGERPRINT)).doesNotEndWith(" ");
  }

  @Test
  void auth0MessageKeepsTheReadableSummaryWhereItFits() {
    assertThat(BindingMessages.forProvider(Provider.AUTH0, FINGERPRINT, "Merge PR #42 into main of acme/api"))
        .isEqualTo(BindingMessages.code(FINGERPRINT) + " Merge PR #42 into main of acme api");
  }

  @Test
  void auth0MessageIsCutAtSixtyFourCharacters() {
    String message = BindingMessages.forProvider(Provider.AUTH0, FINGERPRINT, "word ".repeat(40));

    assertThat(message).hasSizeLessThanOrEqualTo(64).startsWith(BindingMessages.code(FINGERPRINT) + " word word");
  }

  @Test
  void genericProvidersGetTheCodeOnly() {
    assertThat(BindingMessages.forProvider(Provider.GENERIC, FINGERPRINT, "Merge PR #42"))
        .isEqualTo(BindingMessages.code(FINGERPRINT));
  }

  @Test
  void keycloakRejectsWhatTheNotesSayItRejects() {
    // the rule itself, as measured against Keycloak 26.4.7 (shared/notes/keycloak-ciba.md)
    assertThat("Merge PR #42 into main of acme/api").doesNotMatch(BindingMessages.KEYCLOAK);
    assertThat("a:b").doesNotMatch(BindingMessages.KEYCLOAK);
    assertThat("x".repeat(51)).doesNotMatch(BindingMessages.KEYCLOAK);
    assertThat("AZ-1234ABCD").matches(BindingMessages.KEYCLOAK);
  }
}
