package dev.authoraization.tool.github;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.authoraization.call.Caller;
import dev.authoraization.call.ToolCall;
import dev.authoraization.credential.Credential;
import java.net.URI;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

/** Shared pieces for tests that run the GitHub client against a WireMock stand-in for GitHub. */
public final class GitHubTestSupport {

  public static final JsonMapper JSON = JsonMapper.builder().build();
  /** A token with GitHub's installation-token prefix; tests check it never shows up in a message. */
  public static final String TOKEN = "ghs_CanaryToken0123456789abcdefABCDEF0123";
  public static final String SHA_A = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
  public static final String SHA_B = "e5bd3914e2e596debea16f433f57875b5b90bcd6";
  private static final AtomicInteger KEYS = new AtomicInteger();

  private GitHubTestSupport() {}

  public static WireMockExtension stub() {
    return WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();
  }

  public static GitHubClient client(WireMockExtension github) {
    return new GitHubClient(GitHubProperties.of(URI.create(github.baseUrl())));
  }

  public static ToolCall call(String tool, String arguments) {
    return new ToolCall(tool, JSON.readTree(arguments), Caller.of("alice", "https://issuer.test", Set.of("dev")),
        "key-" + KEYS.incrementAndGet());
  }

  public static Credential installationToken() {
    return new Credential(TOKEN, "github-app installation token (test)", false, Instant.now().plusSeconds(3600), () -> {});
  }

  public static Credential personalToken() {
    return new Credential(TOKEN, "personal access token (test)", true, Instant.now().plusSeconds(3600), () -> {});
  }

  public static JsonNode json(String text) {
    return JSON.readTree(text);
  }
}
