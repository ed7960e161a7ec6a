package dev.authoraization.approval.notify;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Publishes to an ntfy topic: POST the message as the body to {@code <server>/<topic>}, with the
 * {@code Title}, {@code Priority} (1-5), {@code Tags} (comma-separated) and {@code Click} (the URL
 * opened when the notification is tapped) headers, as documented in https://docs.ntfy.sh/publish/.
 * A protected topic takes {@code Authorization: Bearer <access token>} (same page,
 * "Authentication").
 */
public final class NtfyNotifier implements Notifier {

  private final HttpPost http;
  private final URI topicUrl;
  private final NotificationProperties.Ntfy ntfy;

  NtfyNotifier(HttpPost http, NotificationProperties.Ntfy ntfy) {
    this.http = http;
    this.ntfy = ntfy;
    String server = ntfy.server().endsWith("/") ? ntfy.server() : ntfy.server() + "/";
    this.topicUrl = URI.create(server + ntfy.topic());
  }

  @Override
  public String name() {
    return "ntfy";
  }

  @Override
  public void send(Notice notice) throws Exception {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Title", headerSafe(notice.title()));
    headers.put("Priority", Integer.toString(ntfy.priority()));
    if (!ntfy.tags().isEmpty()) {
      headers.put("Tags", headerSafe(String.join(",", ntfy.tags())));
    }
    headers.put("Click", notice.approverUrl());
    if (!ntfy.accessToken().isEmpty()) {
      headers.put("Authorization", "Bearer " + ntfy.accessToken());
    }
    http.send(topicUrl, "text/plain; charset=utf-8", notice.text(), headers);
  }

  /** HTTP header values are ASCII without control characters; anything else becomes '?'. */
  static String headerSafe(String value) {
    StringBuilder safe = new StringBuilder(value.length());
    value.chars().forEach(c -> safe.append(c >= 0x20 && c < 0x7f ? (char) c : '?'));
    return safe.toString();
  }
}
