package dev.authoraization.redteam;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.approval.notify.WebhookSignature;
import dev.authoraization.call.Caller;
import dev.authoraization.call.GatewayException;
import dev.authoraization.call.ToolCall;
import dev.authoraization.credential.Credential;
import dev.authoraization.tool.ToolDescriptor;
import dev.authoraization.tool.github.GitHubClient;
import dev.authoraization.tool.github.GitHubProperties;
import dev.authoraization.tool.github.GitHubToolProvider;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Random and hostile input for the validators that guard the edges: the webhook signature
 * verifier returns true or false and never throws; the GitHub tools refuse bad arguments with a
 * {@link GatewayException} and nothing else, before any request leaves the engine.
 */
@Tag("redteam")
class ValidatorFuzzTests {

  static final int TRIES = 200;
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Instant NOW = Instant.parse("2026-11-29T06:00:00Z");
  private static final String SECRET = "whsec-fuzz-secret";
  /** Nothing listens on port 9 (discard): a call that passes validation fails to connect, fast. */
  private static final GitHubToolProvider GITHUB = new GitHubToolProvider(
      new GitHubClient(GitHubProperties.of(URI.create("http://127.0.0.1:9"))));
  private static final Credential TOKEN = new Credential("ghs_fuzzCanary000000000000000000000000000",
      "installation token (fuzz)", false, Instant.now().plusSeconds(600), () -> {});

  @ParameterizedTest
  @MethodSource("webhookInputs")
  void webhookVerifyNeverThrowsOnArbitraryInput(String secret, String timestamp, String body, String header) {
    boolean verified = WebhookSignature.verify(secret, timestamp, body, header, NOW);

    assertThat(verified).isFalse(); // nothing here was signed with that secret
  }

  @ParameterizedTest
  @MethodSource("signedInputs")
  void webhookVerifyAcceptsASignatureOnlyInsideTheWindow(String body, String timestampText) {
    long timestamp = Long.parseLong(timestampText);
    String header = WebhookSignature.sign(SECRET, timestamp, body);

    boolean inside = timestamp >= NOW.getEpochSecond() - 300 && timestamp <= NOW.getEpochSecond() + 300;
    assertThat(WebhookSignature.verify(SECRET, String.valueOf(timestamp), body, header, NOW)).isEqualTo(inside);
    assertThat(WebhookSignature.verify(SECRET, String.valueOf(timestamp), body + " ", header, NOW)).isFalse();
  }

  /** A timestamp chosen so that now − timestamp overflows to Long.MIN_VALUE, whose absolute value is negative. */
  @Test
  void webhookVerifyRefusesATimestampThatOverflowsTheWindowCheck() {
    long overflowing = Long.MIN_VALUE + NOW.getEpochSecond();
    String header = WebhookSignature.sign(SECRET, overflowing, "{}");

    assertThat(WebhookSignature.verify(SECRET, String.valueOf(overflowing), "{}", header, NOW, Duration.ofMinutes(5)))
        .isFalse();
  }

  @ParameterizedTest
  @MethodSource("toolArguments")
  void gitHubToolsRefuseArbitraryArgumentsOnlyWithAGatewayException(String tool, String arguments) {
    JsonNode parsed;
    try {
      parsed = JSON.readTree(arguments);
    } catch (RuntimeException notJson) {
      return; // the door refuses it before any tool sees it (DoorFuzzIT)
    }
    if (!parsed.isObject()) {
      return; // ToolCall itself refuses non-objects
    }
    ToolCall call;
    try {
      call = new ToolCall(tool, parsed, Caller.of("fuzz", "https://issuer.test", Set.of("developer")), "k");
    } catch (GatewayException refusedByEveryDoor) {
      assertThat(refusedByEveryDoor.code()).isEqualTo(dev.authoraization.call.ErrorCode.INVALID_ARGUMENTS);
      return; // an overlong or NUL-carrying tool name never becomes a call
    }
    for (Runnable stage : List.<Runnable>of(() -> GITHUB.resource(call), () -> GITHUB.execute(call, TOKEN))) {
      try {
        stage.run();
      } catch (GatewayException refused) {
        assertThat(refused.getMessage()).doesNotContain(TOKEN.secret());
      }
    }
  }

  static Stream<Arguments> webhookInputs() {
    return Fuzz.tries("ValidatorFuzzTests.webhook", TRIES,
        fuzz -> List.of(text(fuzz), timestamp(fuzz), text(fuzz), signatureHeader(fuzz)));
  }

  /** A third near now (inside or just outside the five-minute window), a third on edges, a third anywhere. */
  static Stream<Arguments> signedInputs() {
    long now = NOW.getEpochSecond();
    return Fuzz.tries("ValidatorFuzzTests.signed", TRIES, fuzz -> List.of(text(fuzz), fuzz.oneOf(
        () -> String.valueOf(now + fuzz.between(-600, 600)),
        () -> fuzz.of(List.of(String.valueOf(now - 300), String.valueOf(now + 300), String.valueOf(now - 301),
            String.valueOf(now + 301), String.valueOf(Long.MIN_VALUE + now), String.valueOf(Long.MAX_VALUE),
            String.valueOf(Long.MIN_VALUE), "0")),
        () -> String.valueOf(fuzz.anyLong()))));
  }

  static Stream<Arguments> toolArguments() {
    return Fuzz.tries("ValidatorFuzzTests.tools", TRIES, fuzz -> List.of(
        fuzz.oneOf(() -> fuzz.of(GITHUB.tools().stream().map(ToolDescriptor::name).toList()), fuzz::oddText),
        arguments(fuzz)));
  }

  private static String text(Fuzz fuzz) {
    return fuzz.oneOf(fuzz::oddText, () -> fuzz.anyChars(200));
  }

  private static String timestamp(Fuzz fuzz) {
    return fuzz.oneOf(() -> String.valueOf(fuzz.anyLong()), fuzz::oddText,
        () -> fuzz.of(List.of("", " ", "1e9", "+1764396000", " 1764396000 ", "0x1", "9223372036854775808",
            "-9223372036854775808", String.valueOf(NOW.getEpochSecond()),
            String.valueOf(Long.MIN_VALUE + NOW.getEpochSecond()))));
  }

  private static String signatureHeader(Fuzz fuzz) {
    return String.join(",", fuzz.list(5, () -> fuzz.oneOf(() -> "v1=" + fuzz.from("0123456789abcdef", 64),
        () -> "v1=" + fuzz.from("0123456789abcdefABCDEF", fuzz.between(0, 130)), fuzz::oddText,
        () -> fuzz.of(List.of("v1=", "v0=00", "v1", "=", ",", "v1=zz")))));
  }

  private static String arguments(Fuzz fuzz) {
    List<String> names = List.of("\"owner\"", "\"repo\"", "\"pull_number\"", "\"issue_number\"", "\"path\"",
        "\"ref\"", "\"state\"", "\"body\"", "\"per_page\"", "\"merge_method\"", "\"expected_head_sha\"",
        "\"labels\"");
    List<String> values = List.of("\"demo\"", "\"webapp\"", "\"../../etc/passwd\"", "\"demo/../x\"", "\".\"",
        "\"..\"", "1", "0", "-1", "2147483648", "1e3", "\"open\"", "\"squash\"",
        "\"6dcb09b5b57875f334f61aebed695e2e4193db5e\"");
    return fuzz.oneOf(() -> "{" + String.join(",", fuzz.list(6, () -> fuzz.of(names) + ":"
        + fuzz.oneOf(() -> fuzz.jsonValue(1), () -> fuzz.of(values))))  + "}", () -> fuzz.jsonValue(2));
  }
}
