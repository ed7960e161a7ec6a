package dev.authoraization.approval.ciba;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.authoraization.support.GatewayHarness.ALICE;
import static dev.authoraization.support.GatewayHarness.call;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.approval.ApprovalState;
import dev.authoraization.approval.ciba.CibaOutcome.Kind;
import dev.authoraization.call.ApprovalRequirement;
import dev.authoraization.call.Decision;
import dev.authoraization.call.ToolCallGatewayTests;
import dev.authoraization.support.GatewayHarness;
import dev.authoraization.support.TestDatabases;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.client.RestTemplate;

/**
 * The channel in ping mode against a stub provider that counts the polls of its token endpoint:
 * only the notification token sent with the request makes the channel poll before its timer, and
 * the approver's reason in an {@code access_denied} reaches the request (CIBA Core 10.2; the
 * reason's form is the embedded provider's, {@link DenyReasons}).
 */
class CibaPingTests {

  WireMockServer provider;
  GatewayHarness h;
  ManualTimer timer = new ManualTimer();
  List<CibaOutcome> outcomes = new CopyOnWriteArrayList<>();
  CibaApprovalChannel channel;
  ApprovalRequest request;

  @BeforeEach
  void provider() {
    provider = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    provider.start();
    String issuer = "http://127.0.0.1:" + provider.port();
    provider.stubFor(get(urlPathEqualTo("/.well-known/openid-configuration")).willReturn(okJson("""
        {"issuer":"%1$s","backchannel_authentication_endpoint":"%1$s/bc-authorize","token_endpoint":"%1$s/token",
         "jwks_uri":"%1$s/jwks","backchannel_token_delivery_modes_supported":["poll","ping"]}""".formatted(issuer))));
    provider.stubFor(post(urlPathEqualTo("/bc-authorize"))
        .willReturn(okJson("{\"auth_req_id\":\"req-1\",\"expires_in\":300,\"interval\":30}")));
    provider.stubFor(post(urlPathEqualTo("/token")).willReturn(aResponse().withStatus(400)
        .withHeader("Content-Type", "application/json")
        .withBody("{\"error\":\"access_denied\",\"error_description\":\""
            + DenyReasons.errorDescription("Not before the freeze ends; ask J\u00f6rg") + "\"}")));
    h = new GatewayHarness(TestDatabases.h2(), ToolCallGatewayTests.POLICY, false);
    CibaProperties properties = new CibaProperties(true, issuer, "", "", "", "engine", "secret-" + System.nanoTime(),
        CibaProperties.Provider.GENERIC, Map.of("approver", List.of("admin")), "roles", false, null,
        Duration.ofSeconds(5), Duration.ofSeconds(5), List.of()).ping("https://engine.example").validate();
    CibaClient client = new CibaClient(properties, CibaClient.httpClient(properties));
    channel = new CibaApprovalChannel(properties, client,
        new CibaTokenVerifier(properties, client::endpoints, new RestTemplate()), () -> h.approvals, timer,
        Runnable::run, h.clock, outcomes::add, List.of()).ping(true);
    request = h.approvals.request(call("merge_change", "{\"repo\":\"acme/api\",\"number\":42}", ALICE), "decision-1",
        "acme/api", Map.of("expected_head", "abc123"), Map.of(),
        new Decision.NeedsApproval("merge", new ApprovalRequirement(Set.of("approver"), 1, Duration.ofMinutes(15), true)),
        "rev-1");
    channel.requested(request);
  }

  @AfterEach
  void stop() {
    channel.close();
    provider.stop();
  }

  String notificationToken() {
    String body = provider.findAll(postRequestedFor(urlPathEqualTo("/bc-authorize"))).getFirst().getBodyAsString();
    for (String pair : body.split("&")) {
      String[] kv = pair.split("=", 2);
      if (kv[0].equals("client_notification_token")) {
        return URLDecoder.decode(kv[1], StandardCharsets.UTF_8);
      }
    }
    throw new AssertionError("no client_notification_token in " + body);
  }

  int polls() {
    return provider.findAll(postRequestedFor(urlPathEqualTo("/token"))).size();
  }

  @Test
  void eachRequestCarriesAFreshUnguessableNotificationToken() {
    String first = notificationToken();
    channel.requested(h.approvals.request(call("merge_change", "{\"repo\":\"acme/api\",\"number\":43}", ALICE),
        "decision-2", "acme/api", Map.of("expected_head", "abc123"), Map.of(),
        new Decision.NeedsApproval("merge", new ApprovalRequirement(Set.of("approver"), 1, Duration.ofMinutes(15), true)),
        "rev-1"));
    String second = URLDecoder.decode(provider.findAll(postRequestedFor(urlPathEqualTo("/bc-authorize"))).get(1)
        .getBodyAsString().replaceAll(".*client_notification_token=([^&]*).*", "$1"), StandardCharsets.UTF_8);

    assertThat(first).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(second);
  }

  @Test
  void forgedPingsPollNothing() {
    String token = notificationToken();

    assertThat(channel.notified("req-1", token + "x")).isFalse();
    assertThat(channel.notified("req-1", token.substring(1))).isFalse();
    assertThat(channel.notified("req-1", "")).isFalse();
    assertThat(channel.notified("req-2", token)).isFalse();

    assertThat(polls()).isZero();
    assertThat(h.approvals.get(request.id()).state()).isEqualTo(ApprovalState.PENDING);
    assertThat(timer.delays()).as("only the safety-net poll, at the provider's interval").containsExactly(
        Duration.ofSeconds(30));
  }

  @Test
  void theGenuinePingPollsAtOnceAndTheApproversReasonReachesTheRequest() {
    assertThat(channel.notified("req-1", notificationToken())).isTrue();

    assertThat(polls()).isEqualTo(1);
    ApprovalRequest denied = h.approvals.get(request.id());
    assertThat(denied.state()).isEqualTo(ApprovalState.DENIED);
    assertThat(denied.reason()).isEqualTo("Not before the freeze ends; ask J\u00f6rg");
    assertThat(denied.votes()).singleElement()
        .satisfies(v -> assertThat(v.reason()).isEqualTo("Not before the freeze ends; ask J\u00f6rg"));
    assertThat(outcomes).singleElement().satisfies(o -> assertThat(o.kind()).isEqualTo(Kind.DENIED));
    // the first final answer is final: a replayed ping polls nothing more
    assertThat(channel.notified("req-1", notificationToken())).isFalse();
    assertThat(polls()).isEqualTo(1);
  }
}
