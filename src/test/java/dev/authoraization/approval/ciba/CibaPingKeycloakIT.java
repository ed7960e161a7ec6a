package dev.authoraization.approval.ciba;

import static dev.authoraization.support.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.authoraization.call.Fingerprint;
import dev.authoraization.support.EngineIT;
import dev.authoraization.support.KeycloakDevice;
import dev.authoraization.support.KeycloakServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole engine in CIBA ping mode against a real Keycloak: the client
 * {@value KeycloakServer#PING_CLIENT_ID} is registered there in ping mode with this engine's
 * {@code /ciba/notify} as its notification endpoint. The engine's poll interval is 30 s and the
 * realm expires a request after 15 s, so a waiting call that returns at all was woken by
 * Keycloak's ping, never by a timed poll.
 */
class CibaPingKeycloakIT extends EngineIT {

  static final String ALICE = token("alice", "developer");
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @Autowired
  CibaApprovalChannel channel;

  @DynamicPropertySource
  static void ciba(DynamicPropertyRegistry registry) {
    // the realm names this engine's notification endpoint, so the engine listens where it says
    registry.add("server.port", () -> KeycloakServer.get().pingEnginePort());
    registry.add("engine.approvals.ciba.enabled", () -> "true");
    registry.add("engine.approvals.ciba.provider", () -> "keycloak");
    registry.add("engine.approvals.ciba.issuer", () -> KeycloakServer.get().issuer());
    registry.add("engine.approvals.ciba.client-id", () -> KeycloakServer.PING_CLIENT_ID);
    registry.add("engine.approvals.ciba.client-secret", () -> KeycloakServer.get().clientSecret());
    registry.add("engine.approvals.ciba.approvers.approver[0]", () -> "admin");
    registry.add("engine.approvals.ciba.default-interval", () -> "30s");
    registry.add("engine.approvals.ciba.delivery-mode", () -> "ping");
    registry.add("engine.approvals.ciba.public-url", () -> KeycloakServer.get().pingEngineUrl());
  }

  record Parked(String id, String code) {}

  Parked requestMerge() {
    Response parked = post("/api/v1/tool-calls", "{\"tool\":\"merge_change\",\"arguments\":{\"repo\":\"demo/ping-"
        + UUID.randomUUID() + "\",\"number\":7}}", ALICE);
    assertThat(parked.status()).as(parked.raw().body()).isEqualTo(202);
    return new Parked(parked.body().path("approval_id").asString(),
        BindingMessages.code(new Fingerprint(parked.body().path("fingerprint").asString())));
  }

  KeycloakDevice.Notification onPhone(Parked parked) {
    KeycloakDevice.Notification notification =
        KeycloakServer.get().device().awaitNotification(n -> n.bindingMessage().equals(parked.code()));
    // Keycloak tells the device before it stores the request and answers the engine: an answer in
    // between gets 403, and its ping would name an auth_req_id the engine does not know yet
    await().atMost(Duration.ofSeconds(10)).until(() -> !channel.attemptsFor(parked.id()).isEmpty());
    return notification;
  }

  int notify(String authReqId, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(CibaEndpoints.NOTIFICATION_PATH))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"auth_req_id\":\"" + authReqId + "\"}"));
    if (!authorization.isEmpty()) {
      request.header("Authorization", authorization);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void approvedOnThePhoneThenKeycloaksPingWakesTheWaitingCallLongBeforeThePollInterval() {
    int before = tools.executions.get();
    Parked parked = requestMerge();
    KeycloakDevice.Notification phone = onPhone(parked);

    long start = System.nanoTime();
    // Keycloak pings the engine inside this callback, and fails it unless the engine answers 200 or 204
    KeycloakServer.get().device().approve(phone);
    Response done = get("/api/v1/approvals/" + parked.id() + "?wait=20", ALICE);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(done.body().path("state").asString()).as(done.body().toString()).isEqualTo("EXECUTED");
    assertThat(took).as("woken by the ping, not by the 30 s poll").isLessThan(Duration.ofSeconds(10));
    assertThat(tools.executions.get()).isEqualTo(before + 1);
    assertThat(channel.attemptsFor(parked.id())).isEmpty();
  }

  @Test
  void deniedOnThePhoneThenThePingEndsTheWaitAsDeniedWithoutAReasonFromKeycloak() {
    Parked parked = requestMerge();

    KeycloakServer.get().device().deny(onPhone(parked));
    Response done = get("/api/v1/approvals/" + parked.id() + "?wait=10", ALICE);

    assertThat(done.body().path("state").asString()).isEqualTo("DENIED");
    // Keycloak's access_denied carries no words of the approver
    assertThat(done.body().path("reason").asString()).isEqualTo("denied_on_device");
  }

  @Test
  void forgedPingsAreRefusedAndPollNothing() throws Exception {
    Parked parked = requestMerge();
    KeycloakDevice.Notification phone = onPhone(parked);
    CibaApprovalChannel.Attempt asked = await().atMost(Duration.ofSeconds(10))
        .until(() -> channel.attemptsFor(parked.id()), list -> !list.isEmpty()).getFirst();

    List<Integer> forged = List.of(
        notify(asked.authReqId(), "Bearer " + asked.notificationToken() + "x"),
        notify(asked.authReqId(), "Bearer " + asked.notificationToken().substring(1)),
        notify(asked.authReqId(), ""),
        notify(asked.authReqId() + "x", "Bearer " + asked.notificationToken()),
        notify(asked.authReqId(), "Basic " + asked.notificationToken()));

    assertThat(forged).containsOnly(401);
    assertThat(channel.attemptsFor(parked.id())).as("still waiting for a genuine answer").containsExactly(asked);
    assertThat(get("/api/v1/approvals/" + parked.id(), ALICE).body().path("state").asString()).isEqualTo("PENDING");

    // the genuine ping still works afterwards
    KeycloakServer.get().device().approve(phone);
    assertThat(get("/api/v1/approvals/" + parked.id() + "?wait=20", ALICE).body().path("state").asString())
        .isEqualTo("EXECUTED");
  }
}
