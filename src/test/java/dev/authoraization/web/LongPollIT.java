package dev.authoraization.web;

import static dev.authoraization.support.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.authoraization.approval.ApprovalWaiters;
import dev.authoraization.support.EngineIT;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The asynchronous long poll ({@code GET /api/v1/approvals/{id}?wait=}): a parked caller holds a
 * waiter in {@link ApprovalWaiters} and no request thread; it answers at the decision, answers the
 * current state when the wait runs out, refuses strangers before waiting, and leaves nothing
 * behind when its client hangs up.
 */
class LongPollIT extends EngineIT {

  static final String ALICE = token("alice", "developer");
  static final String ADMIN = token("admin", "approver");
  static final String MERGE = "{\"tool\":\"merge_change\",\"arguments\":{\"repo\":\"demo/webapp\"}}";

  @Autowired
  ApprovalWaiters waiters;

  @Test
  void longPollAnswersAsSoonAsTheRequestIsDeniedAndLeavesNoWaiter() throws Exception {
    Response parked = post("/api/v1/tool-calls", MERGE, ALICE);
    String id = parked.body().path("approval_id").asString();
    long started = System.nanoTime();
    CompletableFuture<Response> poll = CompletableFuture.supplyAsync(() -> get("/api/v1/approvals/" + id + "?wait=30", ALICE));
    await().atMost(Duration.ofSeconds(10)).until(() -> waiters.waiting().contains(id));
    assertThat(poll).isNotDone();

    Response denied = post("/api/v1/approvals/" + id + "/decision", "{\"verdict\":\"deny\",\"reason\":\"not now\","
        + "\"fingerprint\":\"" + parked.body().path("fingerprint").asString() + "\"}", ADMIN);
    Response answer = poll.get(10, TimeUnit.SECONDS);

    assertThat(denied.status()).isEqualTo(200);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.raw().headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("json"));
    assertThat(answer.body().path("id").asString()).isEqualTo(id);
    assertThat(answer.body().path("state").asString()).isEqualTo("DENIED");
    assertThat(answer.body().path("reason").asString()).isEqualTo("not now");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    assertThat(waiters.waiting()).doesNotContain(id);
  }

  @Test
  void longPollThatRunsOutAnswersThePendingStateAsAPlainReadDoes() {
    String id = post("/api/v1/tool-calls", MERGE, ALICE).body().path("approval_id").asString();
    long started = System.nanoTime();

    Response waited = get("/api/v1/approvals/" + id + "?wait=1", ALICE);
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    Response read = get("/api/v1/approvals/" + id, ALICE);

    assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(waited.status()).isEqualTo(200);
    assertThat(waited.body().path("state").asString()).isEqualTo("PENDING");
    assertThat(waited.body()).isEqualTo(read.body());
    assertThat(waiters.waiting()).doesNotContain(id);
  }

  @Test
  void longPollOnAnotherCallersRequestIsRefusedAtOnceWithoutWaiting() {
    String id = post("/api/v1/tool-calls", MERGE, ALICE).body().path("approval_id").asString();
    long started = System.nanoTime();

    Response stranger = get("/api/v1/approvals/" + id + "?wait=30", token("bob", "developer"));

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    assertThat(stranger.status()).isEqualTo(404);
    assertThat(stranger.raw().headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).contains("application/problem+json"));
    assertThat(stranger.body().path("code").asString()).isEqualTo("approval_not_found");
    assertThat(stranger.body().toString()).doesNotContain("merge_change").doesNotContain("alice");
    assertThat(waiters.waiting()).doesNotContain(id);
  }

  @Test
  void longPollWithoutATokenIsRefusedBeforeItWaits() {
    String id = post("/api/v1/tool-calls", MERGE, ALICE).body().path("approval_id").asString();

    Response anonymous = get("/api/v1/approvals/" + id + "?wait=30", null);

    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(waiters.waiting()).doesNotContain(id);
  }

  /**
   * The container (Jetty, as Tomcat before it) does not read from a connection whose request is
   * parked, so it only learns of a hang-up when it writes; the wait bounds how long that takes. What must hold: the waiter goes
   * then (the container's completion cancels it), the connection closes, and the request is intact.
   */
  @Test
  void clientThatHangsUpLeavesNoWaiterOnceItsWaitEnds() throws IOException {
    String id = post("/api/v1/tool-calls", MERGE, ALICE).body().path("approval_id").asString();
    try (Socket client = new Socket("localhost", port)) {
      OutputStream out = client.getOutputStream();
      out.write(("GET /api/v1/approvals/" + id + "?wait=2 HTTP/1.1\r\nHost: localhost\r\n"
          + "Authorization: Bearer " + ALICE + "\r\nAccept: application/json\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      await().atMost(Duration.ofSeconds(10)).until(() -> waiters.waiting().contains(id));
    } // the client hangs up

    await().atMost(Duration.ofSeconds(15)).until(() -> !waiters.waiting().contains(id));
    assertThat(get("/api/v1/approvals/" + id, ALICE).body().path("state").asString()).isEqualTo("PENDING");
  }
}
