package dev.authoraization.credential.auth0;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local stand-in for an Auth0 tenant, built from Auth0's published request and response shapes
 * (Auth0 itself cannot run here):
 * <ul>
 *   <li>Token Vault exchange, {@code POST /oauth/token} with the federated-connection grant:
 *       <a href="https://auth0.com/docs/api/authentication/token-vault-token-exchange/get-token">Get Token</a>
 *       — an RFC 8693 response ({@code access_token}, {@code issued_token_type}, {@code token_type},
 *       {@code expires_in}, {@code scope}); 401 when the user has no usable identity on the connection
 *       (error {@code federated_connection_refresh_token_not_found} in Auth0's Token Vault guides).</li>
 *   <li>Management API: client credentials at {@code POST /oauth/token} with
 *       {@code audience=https://TENANT/api/v2/}, then {@code GET /api/v2/users/{id}} whose
 *       {@code identities[]} entries carry {@code provider}, {@code connection}, {@code user_id},
 *       {@code isSocial} and the IdP {@code access_token}:
 *       <a href="https://auth0.com/docs/secure/tokens/access-tokens/identity-provider-access-tokens">Identity
 *       Provider Access Tokens</a>.</li>
 * </ul>
 * Tests script the answers and read the recorded requests.
 */
final class Auth0Stub implements AutoCloseable {

  /** One request as the stub saw it. */
  record Seen(String method, String path, String query, Map<String, String> form, String authorization) {}

  /** One scripted answer. */
  record Answer(int status, String json) {}

  private final HttpServer server;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private volatile Answer token = new Answer(500, "{}");
  private volatile Answer user = new Answer(404, "{\"statusCode\":404,\"error\":\"Not Found\"}");

  Auth0Stub() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/oauth/token", exchange -> answer(exchange, token));
    server.createContext("/api/v2/users/", exchange -> answer(exchange, user));
    server.start();
  }

  String domain() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  void tokenAnswers(int status, String json) {
    token = new Answer(status, json);
  }

  void userAnswers(int status, String json) {
    user = new Answer(status, json);
  }

  static String exchanged(String accessToken, long expiresIn) {
    return """
        {"access_token":"%s","issued_token_type":"http://auth0.com/oauth/token-type/federated-connection-access-token",\
        "token_type":"Bearer","expires_in":%d,"scope":"repo read:user"}""".formatted(accessToken, expiresIn);
  }

  List<Seen> seen() {
    return List.copyOf(seen);
  }

  List<Seen> seen(String path) {
    return seen.stream().filter(s -> s.path().startsWith(path)).toList();
  }

  private void answer(HttpExchange exchange, Answer answer) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
        exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery(), form(body),
        exchange.getRequestHeaders().getFirst("Authorization") == null ? ""
            : exchange.getRequestHeaders().getFirst("Authorization")));
    byte[] bytes = answer.json().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(answer.status(), bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  private static Map<String, String> form(String body) {
    Map<String, String> form = new LinkedHashMap<>();
    if (body.isEmpty()) {
      return form;
    }
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return form;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
