package dev.authoraization.approval.notify;

import java.net.URI;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Posts to a Slack incoming webhook: a JSON object whose {@code text} is the message, as documented
 * in "Sending messages using incoming webhooks", https://api.slack.com/messaging/webhooks (also
 * https://docs.slack.dev/tools/java-slack-sdk/guides/incoming-webhooks). The webhook URL is the
 * secret; it is never logged.
 */
public final class SlackNotifier implements Notifier {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final HttpPost http;
  private final URI webhookUrl;

  SlackNotifier(HttpPost http, String webhookUrl) {
    this.http = http;
    this.webhookUrl = URI.create(webhookUrl);
  }

  @Override
  public String name() {
    return "slack";
  }

  @Override
  public void send(Notice notice) throws Exception {
    http.send(webhookUrl, "application/json", payload(notice), Map.of());
  }

  /** The JSON body; Slack's text format treats {@code & < >} as control characters, so they are escaped. */
  static String payload(Notice notice) {
    ObjectNode body = JSON.createObjectNode();
    body.put("text", "*" + escape(notice.title()) + "*\n" + escape(notice.text()));
    return JSON.writeValueAsString(body);
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
