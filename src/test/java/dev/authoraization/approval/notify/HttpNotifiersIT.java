package dev.authoraization.approval.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.authoraization.approval.ApprovalRequest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@ExtendWith(OutputCaptureExtension.class)
class HttpNotifiersIT {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final Clock clock = Clock.fixed(Requests.NOW, ZoneOffset.UTC);
  private final MeterRegistry meters = new SimpleMeterRegistry();
  private final List<AutoCloseable> closeAfter = new ArrayList<>();
  private final String canary = "canary-" + UUID.randomUUID();
  private final ApprovalRequest request = Requests.merge(canary);

  private final NotificationProperties base = NotificationProperties.defaults()
      .withRetry(new NotificationProperties.Retry(4, Duration.ofMillis(5), 2.0));

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closeAfter.reversed()) {
      c.close();
    }
  }

  @Test
  void slackReceivesTheSummaryAsTextInTheDocumentedJsonPayload() throws Exception {
    Receiver slack = receiver();
    NotificationChannel channel = channel(base.withSlack(
        new NotificationProperties.Slack(slack.url("/services/T000/B000/" + canary))));

    channel.requested(request);

    await().atMost(WAIT).until(() -> slack.received().size() == 1);
    Receiver.Received post = slack.received().getFirst();
    Notice notice = notice();
    assertThat(post.method()).isEqualTo("POST");
    assertThat(post.header("Content-Type")).isEqualTo("application/json");
    JsonNode body = JSON.readTree(post.body());
    assertThat(body.propertyNames()).containsExactly("text");
    assertThat(body.get("text").asString()).isEqualTo("*" + notice.title() + "*\n" + notice.text())
        .contains("alice (through agent chat-agent) asks to run github.merge_pull_request on octo/demo#12.")
        .contains("pull_number=12").contains(notice.shortCode())
        .contains("http://localhost:8080/approvals/" + request.id());
    await().atMost(WAIT).until(() -> count("slack", "sent") == 1);
  }

  @Test
  void ntfyReceivesTheMessageWithTitlePriorityTagsAndClickHeaders() throws Exception {
    Receiver ntfy = receiver();
    NotificationChannel channel = channel(base.withNtfy(new NotificationProperties.Ntfy(ntfy.url(""),
        "engine-approvals", 5, List.of("lock", "warning"), "")));

    channel.requested(request);

    await().atMost(WAIT).until(() -> ntfy.received().size() == 1);
    Receiver.Received post = ntfy.received().getFirst();
    Notice notice = notice();
    assertThat(post.method()).isEqualTo("POST");
    assertThat(post.path()).isEqualTo("/engine-approvals");
    assertThat(post.body()).isEqualTo(notice.text());
    assertThat(post.header("Title")).isEqualTo(
        "Approval needed: github.merge_pull_request on octo/demo#12 (" + notice.shortCode() + ")");
    assertThat(post.header("Priority")).isEqualTo("5");
    assertThat(post.header("Tags")).isEqualTo("lock,warning");
    assertThat(post.header("Click")).isEqualTo("http://localhost:8080/approvals/" + request.id());
    assertThat(post.header("Authorization")).isEmpty();
  }

  @Test
  void ntfyWithAnAccessTokenSendsItAsBearer() throws Exception {
    Receiver ntfy = receiver();
    String token = "tk_" + UUID.randomUUID().toString().replace("-", "");
    NotificationChannel channel = channel(base.withNtfy(new NotificationProperties.Ntfy(ntfy.url("/"),
        "engine-approvals", 4, List.of(), token)));

    channel.requested(request);

    await().atMost(WAIT).until(() -> ntfy.received().size() == 1);
    assertThat(ntfy.received().getFirst().header("Authorization")).isEqualTo("Bearer " + token);
    assertThat(ntfy.received().getFirst().header("Tags")).isEmpty();
  }

  @Test
  void webhookBodyIsSignedAndTheSignatureVerifiesOnlyForTheExactBodyWithinTheWindow() throws Exception {
    Receiver hook = receiver();
    String secret = WebhookSignatureTests.randomSecret();
    NotificationChannel channel = channel(base.withWebhook(new NotificationProperties.Webhook(hook.url("/hook"),
        secret)));

    channel.requested(request);

    await().atMost(WAIT).until(() -> hook.received().size() == 1);
    Receiver.Received post = hook.received().getFirst();
    String timestamp = post.header("X-AuthorAIzation-Timestamp");
    String signature = post.header("X-AuthorAIzation-Signature");
    assertThat(timestamp).isEqualTo(Long.toString(Requests.NOW.getEpochSecond()));
    assertThat(signature).matches("v1=[0-9a-f]{64}");
    assertThat(WebhookSignature.verify(secret, timestamp, post.body(), signature, Requests.NOW)).isTrue();
    assertThat(WebhookSignature.verify(secret, timestamp, post.body().replace("octo/demo#12", "octo/demo#13"),
        signature, Requests.NOW)).isFalse();
    assertThat(WebhookSignature.verify(secret, timestamp, post.body(), signature,
        Requests.NOW.plus(Duration.ofMinutes(6)))).isFalse();

    JsonNode body = JSON.readTree(post.body());
    assertThat(body.propertyNames()).containsExactlyInAnyOrder("event", "approval_id", "tool", "resource",
        "requester", "agent", "arguments", "fingerprint", "short_code", "expires_at", "approve_url");
    assertThat(body.get("event").asString()).isEqualTo("approval.requested");
    assertThat(body.get("approval_id").asString()).isEqualTo(request.id());
    assertThat(body.get("tool").asString()).isEqualTo("github.merge_pull_request");
    assertThat(body.get("resource").asString()).isEqualTo("octo/demo#12");
    assertThat(body.get("requester").asString()).isEqualTo("alice");
    assertThat(body.get("fingerprint").asString()).isEqualTo(request.fingerprint().hex());
    assertThat(body.get("expires_at").asString()).isEqualTo("2026-11-29T06:15:00Z");
    assertThat(body.get("approve_url").asString()).isEqualTo("http://localhost:8080/approvals/" + request.id());
    assertThat(body.get("arguments").get("pull_number").asString()).isEqualTo("12");
  }

  @Test
  void receiverFailingTwiceGetsThreeAttemptsAndTheMessage(CapturedOutput output) throws Exception {
    Receiver slack = receiver(500, 500, 200);
    NotificationChannel channel = channel(base.withSlack(
        new NotificationProperties.Slack(slack.url("/services/T000/B000/" + canary))));

    channel.requested(request);

    await().atMost(WAIT).until(() -> count("slack", "sent") == 1);
    assertThat(slack.received()).hasSize(3);
    assertThat(slack.received()).extracting(Receiver.Received::body).containsOnly(slack.received().getFirst().body());
    assertThat(count("slack", "failed")).isZero();
    assertThat(output.getAll()).contains("Notifier slack attempt 1 failed (HTTP status 500); retrying in 5 ms")
        .contains("Notifier slack attempt 2 failed (HTTP status 500); retrying in 10 ms");
  }

  @Test
  void receiverAlwaysFailingGetsBoundedAttemptsThenIsCountedAndLoggedWithoutItsUrl(CapturedOutput output)
      throws Exception {
    Receiver slack = receiver(503);
    NotificationChannel channel = channel(base.withSlack(
        new NotificationProperties.Slack(slack.url("/services/T000/B000/" + canary))));

    channel.requested(request);

    await().atMost(WAIT).until(() -> count("slack", "failed") == 1);
    assertThat(slack.received()).hasSize(4);
    assertThat(count("slack", "sent")).isZero();
    await().atMost(WAIT).until(() -> output.getAll().contains(
        "Notifier slack gave up on request " + request.id() + " after 4 attempts: HTTP status 503"));
    assertThat(output.getAll()).doesNotContain(canary).doesNotContain("/services/");
  }

  @Test
  void unreachableReceiverIsLoggedByErrorTypeOnly(CapturedOutput output) throws Exception {
    Receiver gone = receiver();
    String url = gone.url("/services/T000/B000/" + canary);
    gone.close();
    NotificationChannel channel = channel(base.withSlack(new NotificationProperties.Slack(url)));

    channel.requested(request);

    await().atMost(WAIT).until(() -> count("slack", "failed") == 1);
    await().atMost(WAIT).until(() -> output.getAll().contains("Notifier slack gave up on request"));
    assertThat(output.getAll()).contains("java.net.ConnectException").doesNotContain(canary)
        .doesNotContain("/services/");
  }

  @Test
  void hangingAndFailingNotifiersNeitherBlockTheCallerNorStopTheOthers() throws Exception {
    Receiver slack = receiver();
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger hanging = new AtomicInteger();
    Notifier hangs = new FakeNotifier("hangs", () -> {
      hanging.incrementAndGet();
      release.await();
    });
    Notifier fails = new FakeNotifier("fails", () -> {
      throw new IllegalStateException("boom");
    });
    closeAfter.add(release::countDown);
    NotificationProperties properties = base.withSlack(
        new NotificationProperties.Slack(slack.url("/services/T000/B000/" + canary)));
    List<Notifier> notifiers = new ArrayList<>(List.of(hangs, fails));
    notifiers.addAll(NotificationConfiguration.notifiers(properties, null, clock));
    NotificationChannel channel = new NotificationChannel(notifiers, properties, meters, clock);
    closeAfter.add(channel);

    // run inline, "hangs" would never let the caller go: only this test opens its latch
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> channel.requested(request));

    await().atMost(WAIT).until(() -> hanging.get() == 1);
    await().atMost(WAIT).until(() -> slack.received().size() == 1);
    await().atMost(WAIT).until(() -> count("slack", "sent") == 1 && count("fails", "failed") == 1);
    assertThat(count("hangs", "sent") + count("hangs", "failed")).isZero();
  }

  @Test
  void noMessageNorLogLineCarriesTheWebhookSecretOrAnUnlistedArgument(CapturedOutput output) throws Exception {
    Receiver slack = receiver(500, 200);
    Receiver ntfy = receiver();
    Receiver hook = receiver(500, 200);
    String secret = "canary-secret-" + WebhookSignatureTests.randomSecret();
    NotificationChannel channel = channel(base
        .withSlack(new NotificationProperties.Slack(slack.url("/services/T000/B000/" + canary)))
        .withNtfy(new NotificationProperties.Ntfy(ntfy.url(""), "engine-approvals", 4, List.of("lock"), ""))
        .withWebhook(new NotificationProperties.Webhook(hook.url("/hook"), secret)));

    channel.requested(request);

    await().atMost(WAIT).until(() -> count("slack", "sent") == 1 && count("ntfy", "sent") == 1
        && count("webhook", "sent") == 1);
    List<Receiver.Received> all = new ArrayList<>(slack.received());
    all.addAll(ntfy.received());
    all.addAll(hook.received());
    for (Receiver.Received received : all) {
      assertThat(received.body()).doesNotContain(secret).doesNotContain(canary)
          .doesNotContain("commit_message").doesNotContain("head_sha");
      assertThat(received.headers().toString()).doesNotContain(secret).doesNotContain(canary);
    }
    assertThat(output.getAll()).contains("Notifier webhook attempt 1 failed (HTTP status 500)")
        .doesNotContain(secret).doesNotContain(canary);
    assertThat(channel.toString()).doesNotContain(secret);
    assertThat(base.withWebhook(new NotificationProperties.Webhook(hook.url("/hook"), secret)).toString())
        .doesNotContain(secret).doesNotContain("/hook");
  }

  private Notice notice() {
    return Notice.of(request, base.approverUrl(), base.summaryArguments(), Instant.now(clock));
  }

  private NotificationChannel channel(NotificationProperties properties) {
    NotificationChannel channel = new NotificationChannel(NotificationConfiguration.notifiers(properties, null, clock),
        properties, meters, clock);
    closeAfter.add(channel);
    return channel;
  }

  private Receiver receiver(Integer... statuses) throws Exception {
    Receiver receiver = new Receiver(statuses);
    closeAfter.add(receiver);
    return receiver;
  }

  private double count(String notifier, String outcome) {
    var counter = meters.find("engine.notifications").tag("notifier", notifier).tag("outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }

  /** A notifier whose behaviour the test scripts. */
  private record FakeNotifier(String name, Action action) implements Notifier {

    interface Action {
      void run() throws Exception;
    }

    @Override
    public void send(Notice notice) throws Exception {
      action.run();
    }
  }
}
