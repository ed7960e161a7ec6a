package dev.authoraization.redteam;

import static dev.authoraization.support.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.support.EngineIT;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** Named regressions for what the door fuzzing (DoorFuzzIT) found. */
@Tag("redteam")
class DoorInputAttacksIT extends EngineIT {

  static final String ALICE = token("alice", "developer");

  @Autowired
  JdbcTemplate jdbc;

  /**
   * Found by DoorFuzzIT: an unknown tool whose name did not fit the audit record's tool column
   * made the audit append fail, so the attempt went unrecorded and the caller got 503
   * audit_unavailable (a false alarm that the audit log was down). Now refused at the door.
   */
  @Test
  void anOverlongToolNameIsRefusedAsMalformedBeforeThePipelineNotAsAnAuditOutage() {
    int records = records();

    Response r = post("/api/v1/tool-calls", "{\"tool\":\"" + "a".repeat(300) + "\",\"arguments\":{}}", ALICE);
    Response explain = post("/api/v1/policy/explain", "{\"tool\":\"" + "a".repeat(300) + "\",\"arguments\":{}}", ALICE);

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body().path("code").asString()).isEqualTo("invalid_arguments");
    assertThat(explain.status()).isEqualTo(400);
    assertThat(records()).isEqualTo(records);
  }

  @Test
  void anUnknownToolWithTheLongestAllowedNameIsDeniedAndRecorded() {
    int records = records();

    Response r = post("/api/v1/tool-calls", "{\"tool\":\"" + "\u202E".repeat(128) + "\",\"arguments\":{}}", ALICE);

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.body().path("code").asString()).isEqualTo("unknown_tool");
    assertThat(records()).isEqualTo(records + 1);
  }

  /** A tool name is logged where a rule fails or a run breaks: a line break in it would start a forged log line. */
  @Test
  void aToolNameWithALineBreakIsRefusedAtTheDoorSoItCannotStartALogLine() {
    int records = records();

    Response r = post("/api/v1/tool-calls", "{\"tool\":\"list_issues\\n2026-12-03T07:00:00.000Z  INFO 1 --- [main] "
        + "d.a.approval.Approvals : approval granted\",\"arguments\":{\"repo\":\"demo/webapp\"}}", ALICE);

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body().path("code").asString()).isEqualTo("invalid_arguments");
    assertThat(r.body().path("detail").asString()).contains("control characters");
    assertThat(records()).isEqualTo(records);
  }

  /**
   * Found by probing the doors with other content types: Jetty's refusal to decode the form became a
   * 500 on the REST door, and Spring's FormContentFilter failed a PUT with such a body the same way.
   */
  @Test
  void aFormBodyTheContainerCannotDecodeIsABadRequestNotAServerFailure() throws Exception {
    int records = records();
    HttpResponse<String> post = toolCalls("POST", "application/x-www-form-urlencoded", "%%");
    HttpResponse<String> put = toolCalls("PUT", "application/x-www-form-urlencoded", "a=%zz");

    assertThat(post.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(post.body()).path("code").asString()).isEqualTo("invalid_arguments");
    assertThat(put.statusCode()).isEqualTo(405);
    assertThat(records()).isEqualTo(records);
  }

  /**
   * Found by the same probing: Spring Security's firewall refused the parameter name when the form
   * was read, the REST door answered 500, and logged the firewall's message, which quotes the name
   * with its line breaks: a forged log line.
   */
  @Test
  @ExtendWith(OutputCaptureExtension.class)
  void aFormParameterNameWithALineBreakIsABadRequestAndStaysOutOfTheLog(CapturedOutput output) throws Exception {
    String canary = "canary-" + UUID.randomUUID();
    HttpResponse<String> answer = toolCalls("POST", "application/x-www-form-urlencoded",
        "a%0A2026-12-03T07:00:00.000Z%20INFO%20approval%20granted%20" + canary + "=1");

    assertThat(answer.statusCode()).isEqualTo(400);
    assertThat(answer.body()).doesNotContain(canary);
    assertThat(output.getAll()).doesNotContain(canary);
  }

  /** Found by the same probing: Spring fails on a wildcard Content-Type (spring-framework#27957). */
  @Test
  void aWildcardContentTypeIsUnsupportedNotAServerFailure() throws Exception {
    HttpResponse<String> answer = toolCalls("POST", "*/*", "{}");

    assertThat(answer.statusCode()).isEqualTo(415);
  }

  /** Any method and content type to the tool-calls endpoint, as ALICE (the EngineIT helpers send JSON). */
  private HttpResponse<String> toolCalls(String method, String contentType, String body) throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(HttpRequest.newBuilder(uri("/api/v1/tool-calls")).header("Authorization", "Bearer " + ALICE)
          .header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
    }
  }

  @Test
  void aNulInTheBodysIdempotencyKeyIsRefusedBeforeThePipeline() {
    int records = records();

    Response r = post("/api/v1/tool-calls", "{\"tool\":\"merge_change\",\"arguments\":{\"repo\":\"demo/nul\"},"
        + "\"idempotency_key\":\"k\\u0000\"}", ALICE);

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body().path("code").asString()).isEqualTo("invalid_arguments");
    assertThat(records()).isEqualTo(records);
  }

  @Test
  void aDecisionReasonWithANulIsRefusedAndTheRequestStaysPending() {
    Response parked = post("/api/v1/tool-calls", "{\"tool\":\"merge_change\",\"arguments\":{\"repo\":\"demo/nul-reason\"}}", ALICE);
    String id = parked.body().path("approval_id").asString();

    Response r = post("/api/v1/approvals/" + id + "/decision", "{\"verdict\":\"deny\",\"fingerprint\":\""
        + parked.body().path("fingerprint").asString() + "\",\"reason\":\"no\\u0000\"}", token("admin", "approver"));

    assertThat(r.status()).isEqualTo(400);
    assertThat(get("/api/v1/approvals/" + id, ALICE).body().path("state").asString()).isEqualTo("PENDING");
  }

  private int records() {
    return jdbc.queryForObject("SELECT count(*) FROM audit_record", Integer.class);
  }
}
