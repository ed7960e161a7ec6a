package dev.authoraization.approval;

import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * What proves that an approver answered: the channel and what it verified (a CIBA ID token's
 * claims, a signed passkey assertion). Stored with the vote's audit record so anyone can check it
 * later. {@link #unverified} marks a decision made without channel evidence (the REST endpoint of
 * tests and the demo).
 */
public record Evidence(String channel, boolean verified, JsonNode details) {

  public Evidence {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(details, "details");
  }

  public static Evidence unverified(String channel) {
    return new Evidence(channel, false, JsonNodeFactory.instance.objectNode());
  }

  public static Evidence verified(String channel, JsonNode details) {
    return new Evidence(channel, true, details);
  }

  JsonNode toJson() {
    var node = JsonNodeFactory.instance.objectNode();
    node.put("channel", channel);
    node.put("verified", verified);
    node.set("details", details);
    return node;
  }
}
