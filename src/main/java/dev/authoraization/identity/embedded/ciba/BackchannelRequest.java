package dev.authoraization.identity.embedded.ciba;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One backchannel authentication request (CIBA Core 7) as the embedded provider keeps it.
 *
 * @param authorizationDetails RFC 9396 {@code authorization_details} as sent, a JSON array
 * @param fingerprint the action fingerprint those details name, empty when none
 * @param notificationEndpoint ping mode: the client's {@code backchannel_client_notification_endpoint}, else empty
 * @param notificationToken ping mode: the client's {@code client_notification_token}, else empty
 * @param evidence what the approver's device verified, JSON ({@code {}} until decided)
 */
public record BackchannelRequest(String authReqId, String clientId, String loginHint, String scope,
    String bindingMessage, String authorizationDetails, String fingerprint, String notificationEndpoint,
    String notificationToken, State state, Instant createdAt, Instant expiresAt, Duration interval,
    Optional<Instant> lastPollAt, Optional<Instant> decidedAt, String evidence) {

  /** Where a request is in its life; each change is one conditional update. */
  public enum State { PENDING, APPROVED, DENIED, REDEEMED }

  public boolean expired(Instant now) {
    return !now.isBefore(expiresAt);
  }

  public boolean ping() {
    return !notificationEndpoint.isEmpty();
  }

  @Override
  public String toString() {
    // the auth_req_id and the notification token are bearer secrets of the client
    return "BackchannelRequest[clientId=" + clientId + ", loginHint=" + loginHint + ", state=" + state
        + ", bindingMessage=" + bindingMessage + "]";
  }
}
