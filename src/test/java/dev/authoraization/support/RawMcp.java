package dev.authoraization.redteam;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** Raw bodies to the MCP door, as a hostile client sends them: no SDK between the test and the wire. */
final class RawMcp {

  private final URI endpoint;
  private final String token;

  RawMcp(URI endpoint, String token) {
    this.endpoint = endpoint;
    this.token = token;
  }

  /** A session opened the way a client opens one; its id. */
  String initialize() throws IOException, InterruptedException {
    HttpResponse<String> initialized = send(null, """
        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
         "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""");
    assertThat(initialized.statusCode()).isEqualTo(200);
    String session = initialized.headers().firstValue("Mcp-Session-Id").orElseThrow();
    assertThat(send(session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").statusCode())
        .isEqualTo(202);
    return session;
  }

  HttpResponse<String> send(@Nullable String session, String body) throws IOException, InterruptedException {
    return send(session, body, "application/json");
  }

  HttpResponse<String> send(@Nullable String session, String body, String contentType)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(15))
        .header("Content-Type", contentType).header("Accept", "application/json, text/event-stream")
        .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(body));
    if (session != null) {
      request.header("Mcp-Session-Id", session);
    }
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
  }
}
