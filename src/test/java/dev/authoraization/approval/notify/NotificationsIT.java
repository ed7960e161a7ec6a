package dev.authoraization.approval.notify;

import static dev.authoraization.support.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.authoraization.support.EngineIT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** The whole engine: a call that needs approval reaches the configured webhook, signed. */
class NotificationsIT extends EngineIT {

  private static final Receiver HOOK = start();
  private static final String SECRET = WebhookSignatureTests.randomSecret();

  @DynamicPropertySource
  static void notifications(DynamicPropertyRegistry registry) {
    // a database of its own: this context lives next to the other EngineIT context
    registry.add("spring.datasource.url", () ->
        "jdbc:h2:mem:engine-notify-it;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1");
    registry.add("engine.notifications.webhook.url", () -> HOOK.url("/hook"));
    registry.add("engine.notifications.webhook.secret", () -> SECRET);
  }

  @AfterAll
  static void stop() {
    HOOK.close();
  }

  @Test
  void callThatNeedsApprovalIsAnnouncedToTheWebhookWithAVerifiableSignature() {
    Response parked = post("/api/v1/tool-calls", "{\"tool\":\"merge_change\",\"arguments\":{\"repo\":\"demo/webapp\"}}",
        token("alice", "developer"));
    assertThat(parked.status()).isEqualTo(202);
    String id = parked.body().path("approval_id").asString();

    await().atMost(Duration.ofSeconds(10)).until(() -> HOOK.received().stream().anyMatch(r -> r.body().contains(id)));
    Receiver.Received delivery = HOOK.received().stream().filter(r -> r.body().contains(id)).findFirst().orElseThrow();
    assertThat(WebhookSignature.verify(SECRET, delivery.header(WebhookSignature.TIMESTAMP_HEADER), delivery.body(),
        delivery.header(WebhookSignature.SIGNATURE_HEADER), Instant.now())).isTrue();
    JsonNode body = JSON.readTree(delivery.body());
    assertThat(body.path("tool").asString()).isEqualTo("merge_change");
    assertThat(body.path("requester").asString()).isEqualTo("alice");
    assertThat(body.path("fingerprint").asString()).isEqualTo(parked.body().path("fingerprint").asString());
    assertThat(body.path("approve_url").asString()).isEqualTo("http://localhost:8080/approvals/" + id);
    assertThat(delivery.body()).doesNotContain(SECRET);
  }

  private static Receiver start() {
    try {
      return new Receiver();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
