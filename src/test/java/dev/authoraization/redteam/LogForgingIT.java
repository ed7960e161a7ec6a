package dev.authoraization.redteam;

import static dev.authoraization.support.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.authoraization.support.EngineIT;
import dev.authoraization.support.RawMcp;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * A signed-in MCP client writes a whole log line, line break first, into text the MCP SDK logs
 * (the clientInfo of an initialize at INFO, a protocol version it does not know at WARN), hoping that an
 * operator or a log pipeline takes it for an entry of the engine's own: "approval granted". The
 * text reaches the log, but every line it starts is indented, so none begins with a timestamp.
 * Each test checks first that its text did reach the log: without that the attack would not be
 * tried at all.
 */
@Tag("redteam")
@ExtendWith(OutputCaptureExtension.class)
class LogForgingIT extends EngineIT {

  static final String ALICE = token("alice", "developer");

  private static final String FORGED_START = "2026-12-03T07:00:00.000Z";

  private final String canary = "canary-" + UUID.randomUUID();

  /** A whole entry as the engine writes one; {@link #FORGED_START} is how its line begins. */
  private String forged() {
    return FORGED_START + " INFO 1 --- [main] d.a.approval.Approvals : approval granted " + canary;
  }

  @Test
  void aClientInfoWithALineBreakCannotStartALineOfTheLog(CapturedOutput output) throws Exception {
    send(null, """
        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
         "capabilities":{},"clientInfo":{"name":"agent\\n%s","version":"1\\r%s"}}}""".formatted(forged(), forged()));

    assertForgedLinesIndented(output, 2);
  }

  @Test
  void anUnsupportedProtocolVersionWithALineBreakCannotStartALineOfTheLog(CapturedOutput output) throws Exception {
    send(null, """
        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"1999-01-01\\r\\n%s",
         "capabilities":{},"clientInfo":{"name":"agent","version":"1"}}}""".formatted(forged()));

    assertForgedLinesIndented(output, 2);
  }

  @Test
  void anExceptionMessageWithALineBreakCannotStartALineButItsStackTraceKeepsItsShape(CapturedOutput output) {
    LoggerFactory.getLogger(LogForgingIT.class).warn("refused {}", "x\n" + forged(),
        new IllegalStateException("outer\n" + forged(), new IllegalArgumentException("inner\r\n" + forged())));

    assertForgedLinesIndented(output, 3);
    assertThat(output.getAll()).containsPattern("(?m)^\tat dev\\.authoraization\\.redteam\\.LogForgingIT\\.")
        .containsPattern("(?m)^Caused by: java\\.lang\\.IllegalArgumentException: inner\\r?$");
  }

  private void assertForgedLinesIndented(CapturedOutput output, int times) {
    // the SDK may log after it answered
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(output.getAll().split(canary, -1)).as("the text reached the log").hasSizeGreaterThan(times));
    String log = output.getAll();
    assertThat(log).doesNotContainPattern("(?m)^" + FORGED_START)
        .containsPattern("(?m)^  " + FORGED_START
            + " INFO 1 --- \\[main\\] d\\.a\\.approval\\.Approvals : approval granted " + canary);
  }

  private HttpResponse<String> send(@Nullable String session, String body) throws Exception {
    return mcp().send(session, body);
  }

  private RawMcp mcp() {
    return new RawMcp(uri("/mcp"), ALICE);
  }
}
