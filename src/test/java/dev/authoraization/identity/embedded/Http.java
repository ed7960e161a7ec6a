package dev.authoraization.identity.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A browser-like HTTP client for tests: real HTTP, a cookie jar, redirects followed by hand. */
final class Http {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final HttpClient client = HttpClient.newBuilder().cookieHandler(new CookieManager())
      .followRedirects(HttpClient.Redirect.NEVER).build();
  private final String base;

  Http(String base) {
    this.base = base;
  }

  HttpResponse<String> get(String pathOrUrl, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(pathOrUrl)).GET();
    if (headers.length > 0) {
      request.headers(headers);
    }
    return send(request.build());
  }

  HttpResponse<String> bearer(String path, String token) {
    return get(path, "Authorization", "Bearer " + token);
  }

  HttpResponse<String> postForm(String path, Map<String, String> form, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form(form)));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return send(request.build());
  }

  static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  static JsonNode json(HttpResponse<String> response) {
    return JSON.readTree(response.body());
  }

  static Map<String, String> query(String url) {
    Map<String, String> params = new LinkedHashMap<>();
    String query = URI.create(url).getRawQuery();
    if (query != null) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        String name = eq < 0 ? pair : pair.substring(0, eq);
        String value = eq < 0 ? "" : pair.substring(eq + 1);
        params.put(URLDecoder.decode(name, StandardCharsets.UTF_8),
            URLDecoder.decode(value, StandardCharsets.UTF_8));
      }
    }
    return params;
  }

  static String form(Map<String, String> form) {
    return form.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  /**
   * Where a redirect points, resolved against the request as a browser does: Jetty sends relative
   * references such as {@code /login} (RFC 9110, section 10.2.2), redirects to a client's
   * {@code redirect_uri} are absolute already.
   */
  static String location(HttpResponse<String> response) {
    String location = response.headers().firstValue("Location").orElseThrow(
        () -> new AssertionError("no Location header; status " + response.statusCode() + ": " + response.body()));
    return response.request().uri().resolve(location).toString();
  }

  private URI uri(String pathOrUrl) {
    return URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : base + pathOrUrl);
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
