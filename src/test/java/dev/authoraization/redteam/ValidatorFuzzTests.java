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
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
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

  @Property(tries = TRIES)
  void webhookVerifyNeverThrowsOnArbitraryInput(@ForAll("text") String secret, @ForAll("timestamps") String timestamp,
      @ForAll("text") String body, @ForAll("signatureHeaders") String header) {
    boolean verified = WebhookSignature.verify(secret, timestamp, body, header, NOW);

    assertThat(verified).isFalse(); // nothing here was signed with that secret
  }

  @Property(tries = TRIES)
  void webhookVerifyAcceptsASignatureOnlyInsideTheWindow(@ForAll("text") String body, @ForAll long timestamp) {
    String header = WebhookSignature.sign(SECRET, timestamp, body);

    boolean inside = timestamp >= NOW.getEpochSecond() - 300 && timestamp <= NOW.getEpochSecond() + 300;
    assertThat(WebhookSignature.verify(SECRET, String.valueOf(timestamp), body, header, NOW)).isEqualTo(inside);
    assertThat(WebhookSignature.verify(SECRET, String.valueOf(timestamp), body + " ", header, NOW)).isFalse();
  }

  /** A timestamp chosen so that now − timestamp overflows to Long.MIN_VALUE, whose absolute value is negative. */
  @Example
  void webhookVerifyRefusesATimestampThatOverflowsTheWindowCheck() {
    long overflowing = Long.MIN_VALUE + NOW.getEpochSecond();
    String header = WebhookSignature.sign(SECRET, overflowing, "{}");

    assertThat(WebhookSignature.verify(SECRET, String.valueOf(overflowing), "{}", header, NOW, Duration.ofMinutes(5)))
        .isFalse();
  }

  @Property(tries = TRIES)
  void gitHubToolsRefuseArbitraryArgumentsOnlyWithAGatewayException(@ForAll("tools") String tool,
      @ForAll("arguments") String arguments) {
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

  @Provide
  Arbitrary<String> text() {
    return Arbitraries.oneOf(Fuzz.oddText(), Arbitraries.strings().all().ofMaxLength(200));
  }

  @Provide
  Arbitrary<String> timestamps() {
    return Arbitraries.oneOf(Arbitraries.longs().map(String::valueOf), Fuzz.oddText(),
        Arbitraries.of("", " ", "1e9", "+1764396000", " 1764396000 ", "0x1", "9223372036854775808", "-9223372036854775808",
            String.valueOf(NOW.getEpochSecond()), String.valueOf(Long.MIN_VALUE + NOW.getEpochSecond())));
  }

  @Provide
  Arbitrary<String> signatureHeaders() {
    Arbitrary<String> one = Arbitraries.oneOf(
        Arbitraries.strings().withChars("0123456789abcdef").ofLength(64).map(h -> "v1=" + h),
        Arbitraries.strings().withChars("0123456789abcdefABCDEF").ofMaxLength(130).map(h -> "v1=" + h),
        Fuzz.oddText(), Arbitraries.of("v1=", "v0=00", "v1", "=", ",", "v1=zz"));
    return one.list().ofMaxSize(5).map(l -> String.join(",", l));
  }

  @Provide
  Arbitrary<String> tools() {
    return Arbitraries.oneOf(Arbitraries.of(GITHUB.tools().stream().map(ToolDescriptor::name).toList()), Fuzz.oddText());
  }

  @Provide
  Arbitrary<String> arguments() {
    Arbitrary<String> name = Arbitraries.of("\"owner\"", "\"repo\"", "\"pull_number\"", "\"issue_number\"", "\"path\"",
        "\"ref\"", "\"state\"", "\"body\"", "\"per_page\"", "\"merge_method\"", "\"expected_head_sha\"", "\"labels\"");
    Arbitrary<String> value = Arbitraries.oneOf(Fuzz.jsonValue(1),
        Arbitraries.of("\"demo\"", "\"webapp\"", "\"../../etc/passwd\"", "\"demo/../x\"", "\".\"", "\"..\"", "1", "0", "-1",
            "2147483648", "1e3", "\"open\"", "\"squash\"", "\"6dcb09b5b57875f334f61aebed695e2e4193db5e\""));
    Arbitrary<String> object = Combinators.combine(name, value).as((n, v) -> n + ":" + v).list().ofMaxSize(6)
        .map(l -> "{" + String.join(",", l) + "}");
    return Arbitraries.oneOf(object, Fuzz.jsonValue(2));
  }
}
