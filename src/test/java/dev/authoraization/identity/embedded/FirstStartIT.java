package dev.authoraization.identity.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The README tour on a fresh engine: nothing configured, the first start prints the demo
 * credentials once, and they work — the printed {@code demo-agent} secret gets a token the REST
 * door accepts.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class FirstStartIT {

  private static final int PORT = freePort();
  private static final String ISSUER = "http://localhost:" + PORT;
  private static final Pattern SECRET = Pattern.compile("client +demo-agent +secret +(\\S+)");

  @DynamicPropertySource
  static void engine(DynamicPropertyRegistry registry) throws IOException {
    registry.add("server.port", () -> PORT);
    registry.add("engine.identity.embedded.issuer", () -> ISSUER);
    registry.add("engine.identity.embedded.key-dir", Files.createTempDirectory("identity-first-start")::toString);
    registry.add("spring.datasource.url", () -> "jdbc:h2:mem:identity-first-start;MODE=PostgreSQL;"
        + "DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1");
    registry.add("spring.datasource.username", () -> "sa");
  }

  @Test
  void thePrintedDemoAgentSecretGetsATokenThatTheRestDoorAccepts(CapturedOutput output) throws Exception {
    Matcher secret = SECRET.matcher(output.getOut());
    assertThat(secret.find()).as("the first-start block on the console").isTrue();
    assertThat(output.getOut()).contains("SHOWN ONCE").containsPattern("user +alice +password")
        .containsPattern("user +admin +password");

    Http http = new Http(ISSUER);
    HttpResponse<String> token = http.postForm("/oauth2/token", Map.of("grant_type", "client_credentials"),
        "Authorization", Http.basic("demo-agent", secret.group(1)));

    assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
    String accessToken = Http.json(token).get("access_token").asString();
    assertThat(SignedJWT.parse(accessToken).getJWTClaimsSet().getSubject()).isEqualTo("demo-agent");
    assertThat(http.bearer("/api/v1/tools", accessToken).statusCode()).isEqualTo(200);
    assertThat(output.getAll().split(Pattern.quote(secret.group(1)), -1)).as("the secret is printed once")
        .hasSize(2);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
