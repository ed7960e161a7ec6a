package dev.authoraization.identity.embedded.ciba;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The approver device's side of the embedded CIBA endpoint: the requests waiting for a user, and
 * the user's answer. An answer is recorded once; in ping mode the client is then told at once
 * (CIBA Core 10.2: a POST of the {@code auth_req_id} to its
 * {@code backchannel_client_notification_endpoint}, with its {@code client_notification_token} as
 * bearer), so that it polls now rather than at its next interval.
 */
public class BackchannelDecisions {

  private static final Logger log = LoggerFactory.getLogger(BackchannelDecisions.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final BackchannelRequests requests;
  private final HttpClient http;

  public BackchannelDecisions(BackchannelRequests requests) {
    this.requests = requests;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** The pending, unexpired requests that ask {@code username} about the action {@code fingerprint}. */
  public List<BackchannelRequest> pendingFor(String username, String fingerprint) {
    return requests.pendingFor(username).stream().filter(r -> r.fingerprint().equals(fingerprint)).toList();
  }

  /** All pending, unexpired requests for {@code username}. */
  public List<BackchannelRequest> pendingFor(String username) {
    return requests.pendingFor(username);
  }

  /**
   * Records {@code username}'s answer to one request; false when it was already answered,
   * redeemed, expired, or asks somebody else.
   *
   * @param evidence what the device verified, JSON ({@code approval/Evidence} details with its channel)
   */
  public boolean answer(String authReqId, String username, boolean approved, String evidence) {
    if (!requests.decide(authReqId, username, approved, evidence)) {
      return false;
    }
    requests.find(authReqId).filter(BackchannelRequest::ping).ifPresent(this::ping);
    return true;
  }

  private void ping(BackchannelRequest request) {
    String body = JSON.writeValueAsString(JsonNodeFactory.instance.objectNode().put("auth_req_id", request.authReqId()));
    HttpRequest notification = HttpRequest.newBuilder(URI.create(request.notificationEndpoint()))
        .timeout(Duration.ofSeconds(5))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + request.notificationToken())
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    // asynchronous: the approver's page does not wait for the client; a lost ping leaves the poll
    http.sendAsync(notification, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
      if (failure != null || (response.statusCode() != 204 && response.statusCode() != 200)) {
        log.warn("CIBA ping to client {} failed ({}); it will learn the answer at its next poll", request.clientId(),
            Optional.ofNullable(failure).map(f -> f.getClass().getSimpleName())
                .orElseGet(() -> "status " + response.statusCode()));
      }
    });
  }
}
