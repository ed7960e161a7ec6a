package dev.authoraization.support;

import dev.authoraization.EngineApplication;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Base of the tests through the REST door: the whole engine on a random port, an in-memory
 * database, a test issuer, the fake tools, and the test policy. Every subclass shares one
 * Spring context (same configuration), so the engine starts once per test run.
 */
@SpringBootTest(classes = EngineApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@Import(EngineIT.Fakes.class)
public abstract class EngineIT {

  protected static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @LocalServerPort
  protected int port;

  @Autowired
  protected FakeTools tools;

  @DynamicPropertySource
  static void engine(DynamicPropertyRegistry registry) {
    registry.add("engine.identity.issuers[0].uri", () -> TestTokens.ISSUER);
    registry.add("engine.identity.issuers[0].public-key-location", TestTokens::publicKeyLocation);
    registry.add("engine.identity.issuers[0].audiences[0]", () -> TestTokens.AUDIENCE);
  }

  @TestConfiguration(proxyBeanMethods = false)
  static class Fakes {
    @Bean
    FakeTools fakeTools() {
      return new FakeTools();
    }
  }

  /** A response with its body parsed as JSON (or a JSON null when empty). */
  public record Response(int status, JsonNode body, HttpResponse<String> raw) {}

  protected Response get(String path, String token) {
    return send(HttpRequest.newBuilder(uri(path)).GET(), token);
  }

  protected Response post(String path, String json, String token) {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)), token);
  }

  /**
   * As {@link #post}, with {@code Expect: 100-continue}: the body goes out only once the server
   * asked for it, so a server that answers early (and closes) cannot break the client's write.
   */
  protected Response postExpectingContinue(String path, String json, String token) {
    return send(HttpRequest.newBuilder(uri(path)).expectContinue(true).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)), token);
  }

  protected URI uri(String path) {
    return URI.create("http://localhost:" + port + path);
  }

  private Response send(HttpRequest.Builder request, String token) {
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode body = response.body().isBlank() || !response.headers().firstValue("Content-Type").orElse("").contains("json")
          ? JSON.nullNode() : JSON.readTree(response.body());
      return new Response(response.statusCode(), body, response);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
