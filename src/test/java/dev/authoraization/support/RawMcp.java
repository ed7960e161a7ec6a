package dev.authoraization.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** Raw bodies to an MCP door, as a hostile or hand-written client sends them: no SDK between the test and the wire. */
public final class RawMcp {

  private final URI endpoint;
  private final String token;

  public RawMcp(URI endpoint, String token) {
    this.endpoint = endpoint;
    this.token = token;
  }

  /** A session opened the way a client opens one; its id. */
  public String initialize() throws IOException, InterruptedException {
    HttpResponse<String> initialized = send(null, """
        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
         "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""");
    assertThat(initialized.statusCode()).isEqualTo(200);
    String session = initialized.headers().firstValue("Mcp-Session-Id").orElseThrow();
    assertThat(send(session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").statusCode())
        .isEqualTo(202);
    return session;
  }

  public HttpResponse<String> send(@Nullable String session, String body) throws IOException, InterruptedException {
    return send(session, body, "application/json");
  }

  public HttpResponse<String> send(@Nullable String session, String body, String contentType)
      throws IOException, InterruptedException {
    HttpRequest request = request(session, body).timeout(Duration.ofSeconds(15)).setHeader("Content-Type", contentType)
        .build();
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
  }

  /**
   * The POST of {@code body}, in {@code session} when one is given, without a timeout: for a caller
   * that sends it its own way (asynchronously, to wait for an approval) or changes its method.
   */
  public HttpRequest.Builder request(@Nullable String session, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
        .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
        .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(body));
    if (session != null) {
      request.header("Mcp-Session-Id", session);
    }
    return request;
  }
}
