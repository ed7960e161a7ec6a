package dev.authoraization.approval.notify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** One POST with a request timeout; anything but 2xx is a failure worth a retry. */
final class HttpPost {

  private final HttpClient client;
  private final Duration requestTimeout;

  HttpPost(HttpClient client, Duration requestTimeout) {
    this.client = client;
    this.requestTimeout = requestTimeout;
  }

  static HttpClient client(NotificationProperties.Http http) {
    return HttpClient.newBuilder()
        .connectTimeout(http.connectTimeout())
        // a receiver's redirect must not take the signed body or a bearer token elsewhere
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  void send(URI uri, String contentType, String body, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri)
        .timeout(requestTimeout)
        .header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    HttpResponse<Void> response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
    if (response.statusCode() / 100 != 2) {
      throw new NotificationException("HTTP status " + response.statusCode());
    }
  }
}
