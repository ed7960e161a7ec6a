package dev.authoraization.redteam;

import static dev.authoraization.support.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.authoraization.support.EngineIT;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestContextManager;

/**
 * Hostile bodies for the REST door's three write endpoints, on the same engine (and Spring
 * context) as the other {@link EngineIT}s: jqwik runs the properties, Spring's
 * {@link TestContextManager} injects this instance from the shared context cache.
 *
 * <p>Every try must end in a 2xx/4xx (never a 5xx), change no state the request was not
 * entitled to change, and log no unhandled exception.
 */
@Tag("redteam")
class DoorFuzzIT extends EngineIT {

  static final String ALICE = token("alice", "developer");
  static final String ADMIN = token("admin", "approver");
  static final int TRIES = 200;

  private static final ListAppender<ILoggingEvent> LOG = new ListAppender<>();

  @Autowired
  JdbcTemplate jdbc;

  @BeforeContainer
  static void listen() {
    LOG.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(LOG);
  }

  @AfterContainer
  static void stopListening() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(LOG);
  }

  @BeforeProperty
  void inject() throws Exception {
    new TestContextManager(getClass()).prepareTestInstance(this);
    LOG.list.clear();
  }

  @AfterProperty
  void noUnhandledExceptionWasLogged() {
    // ERROR is where unhandled exceptions land (ProblemResponses.unexpected, Tomcat's servlet errors);
    // Tomcat's INFO note on a request line too long to parse is the container refusing it with 400
    assertThat(LOG.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
        .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).toList()).isEmpty();
  }

  @Property(tries = TRIES)
  void toolCallsWithHostileBodiesNeverFailOnTheServerNorParkWhatWasRefused(@ForAll("toolCalls") String body) {
    int approvals = approvals();
    int records = records();

    Response r = post("/api/v1/tool-calls", body, ALICE);

    assertThat(r.status()).as(shorten(body)).isIn(200, 202, 400, 403);
    if (r.status() != 202) {
      assertThat(approvals()).as(shorten(body)).isEqualTo(approvals);
    }
    if (r.status() == 400) {
      assertThat(records()).as("a request refused as malformed leaves no audit record: " + shorten(body)).isEqualTo(records);
    }
    if (r.status() >= 400) {
      assertThat(r.raw().headers().firstValue("Content-Type")).as(shorten(body)).hasValueSatisfying(t -> assertThat(t).contains("problem+json"));
    }
  }

  @Property(tries = TRIES)
  void explainWithHostileBodiesNeverFailsOnTheServerAndChangesNothing(@ForAll("toolCalls") String body) {
    int approvals = approvals();
    int records = records();

    Response r = post("/api/v1/policy/explain", body, ALICE);

    assertThat(r.status()).as(shorten(body)).isIn(200, 400, 403);
    assertThat(approvals()).as(shorten(body)).isEqualTo(approvals);
    assertThat(records()).as(shorten(body)).isEqualTo(records);
  }

  @Property(tries = TRIES)
  void decisionsWithHostileBodiesOrIdsNeverFailOnTheServerAndNeverDecide(@ForAll("decisions") String body,
      @ForAll("ids") String id) {
    Response parked = post("/api/v1/tool-calls", "{\"tool\":\"merge_change\",\"arguments\":{\"repo\":\"demo/fuzz\"},"
        + "\"idempotency_key\":\"fuzz-decisions\"}", ALICE);
    String real = parked.body().path("approval_id").asString();
    int records = records();

    Response onReal = post("/api/v1/approvals/" + real + "/decision", body, ADMIN);
    Response onOther = post("/api/v1/approvals/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/decision", body, ADMIN);

    assertThat(onReal.status()).as(shorten(body)).isIn(400, 409);
    assertThat(onOther.status()).as(shorten(id + " " + body)).isIn(400, 404);
    assertThat(get("/api/v1/approvals/" + real, ALICE).body().path("state").asString()).isEqualTo("PENDING");
    assertThat(get("/api/v1/approvals/" + real, ALICE).body().path("votes").size()).isZero();
    assertThat(records()).as(shorten(body)).isEqualTo(records);
  }

  @Provide
  Arbitrary<String> toolCalls() {
    return Fuzz.toolCallBody();
  }

  @Provide
  Arbitrary<String> decisions() {
    Arbitrary<String> verdict = Arbitraries.oneOf(Arbitraries.of("\"approve\"", "\"deny\"", "\"APPROVE\"",
        "\"approve\\u0000\"", "\"appro\u200Bve\"", "true", "null", "[\"approve\"]"), Fuzz.jsonString());
    Arbitrary<String> fingerprint = Arbitraries.oneOf(
        Arbitraries.strings().withChars("0123456789abcdef").ofLength(64).map(Fuzz::quote),
        Arbitraries.strings().withChars("0123456789ABCDEFabcdef").ofMinLength(0).ofMaxLength(80).map(Fuzz::quote),
        Fuzz.jsonString(), Arbitraries.of("null", "64", "{}"));
    Arbitrary<String> shaped = Combinators.combine(verdict, fingerprint, Fuzz.jsonValue(0))
        .as((v, f, reason) -> "{\"verdict\":" + v + ",\"fingerprint\":" + f + ",\"reason\":" + reason + "}");
    return Arbitraries.oneOf(shaped, Fuzz.jsonValue(2), Fuzz.oddText());
  }

  @Provide
  Arbitrary<String> ids() {
    return Arbitraries.oneOf(Fuzz.oddText().filter(s -> !s.isEmpty()), Arbitraries.strings().ofMinLength(1).ofMaxLength(2000),
        Arbitraries.of("..", "%2e%2e", "' OR '1'='1", "00000000-0000-0000-0000-000000000000"));
  }

  private static String shorten(String text) {
    return text.length() <= 300 ? text : text.substring(0, 300) + "... (" + text.length() + " characters)";
  }

  private int approvals() {
    return jdbc.queryForObject("SELECT count(*) FROM approval_request", Integer.class);
  }

  private int records() {
    return jdbc.queryForObject("SELECT count(*) FROM audit_record", Integer.class);
  }

}
