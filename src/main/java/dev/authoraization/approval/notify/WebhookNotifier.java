package dev.authoraization.approval.notify;

import java.net.URI;
import java.time.Clock;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Posts a JSON event to any HTTP receiver, signed with HMAC-SHA256 as {@link WebhookSignature}
 * describes, so that the receiver can tell our deliveries from forged ones and refuse replays.
 * The body names the request and links the approver page; it carries no secret, and the signing
 * secret itself is never sent.
 */
public final class WebhookNotifier implements Notifier {

  public static final String EVENT = "approval.requested";

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final HttpPost http;
  private final URI url;
  private final String secret;
  private final Clock clock;

  WebhookNotifier(HttpPost http, String url, String secret, Clock clock) {
    this.http = http;
    this.url = URI.create(url);
    this.secret = secret;
    this.clock = clock;
  }

  @Override
  public String name() {
    return "webhook";
  }

  @Override
  public void send(Notice notice) throws Exception {
    String body = payload(notice);
    // signed per attempt: a retry carries a fresh timestamp, so it stays inside the receiver's window
    long timestamp = clock.instant().getEpochSecond();
    http.send(url, "application/json", body, Map.of(
        WebhookSignature.TIMESTAMP_HEADER, Long.toString(timestamp),
        WebhookSignature.SIGNATURE_HEADER, WebhookSignature.sign(secret, timestamp, body)));
  }

  static String payload(Notice notice) {
    ObjectNode body = JSON.createObjectNode();
    body.put("event", EVENT);
    body.put("approval_id", notice.approvalId());
    body.put("tool", notice.tool());
    body.put("resource", notice.resource());
    body.put("requester", notice.requester());
    notice.agent().ifPresent(agent -> body.put("agent", agent));
    ObjectNode arguments = body.putObject("arguments");
    notice.arguments().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> arguments.put(e.getKey(), e.getValue()));
    body.put("fingerprint", notice.fingerprint());
    body.put("short_code", notice.shortCode());
    body.put("expires_at", notice.expiresAt().toString());
    body.put("approve_url", notice.approverUrl());
    return JSON.writeValueAsString(body);
  }
}
