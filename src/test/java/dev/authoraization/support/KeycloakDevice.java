package dev.authoraization.support;

import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The approver's phone for {@link KeycloakServer}: Keycloak's CIBA HTTP authentication channel
 * posts each request here (a bearer token and JSON); this answers 201 as Keycloak requires, keeps
 * it, and lets a test answer it through Keycloak's callback endpoint as the device would.
 */
public final class KeycloakDevice {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final HttpServer server;
  private final String realmUrl;
  private final List<Notification> received = new CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** What Keycloak told the device: the bearer to answer with, and the request as JSON. */
  public record Notification(String bearer, JsonNode body) {
    public String loginHint() {
      return body.path("login_hint").asString("");
    }

    public String bindingMessage() {
      return body.path("binding_message").asString("");
    }

    @Override
    public String toString() {
      return "Notification[bearer=(redacted), body=" + body + "]";
    }
  }

  private KeycloakDevice(HttpServer server, String realmUrl) {
    this.server = server;
    this.realmUrl = realmUrl;
  }

  static KeycloakDevice start(String realmUrl) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      KeycloakDevice device = new KeycloakDevice(server, realmUrl);
      server.createContext("/device", exchange -> {
        try (exchange) {
          String auth = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Authorization")).orElse("");
          JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
          device.received.add(new Notification(auth.replaceFirst("(?i)^Bearer ", ""), body));
          exchange.sendResponseHeaders(201, -1);
        }
      });
      server.start();
      return device;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String uri() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/device";
  }

  /** Waits until Keycloak has told the device about a request matching {@code which}. */
  public Notification awaitNotification(Predicate<Notification> which) {
    return await("a CIBA notification on the device").atMost(Duration.ofSeconds(30))
        .until(() -> received.stream().filter(which).findFirst(), Optional::isPresent).orElseThrow();
  }

  public List<Notification> received() {
    return List.copyOf(received);
  }

  /** The approver approves on the device ({@code SUCCEED}). */
  public void approve(Notification notification) {
    answer(notification, "SUCCEED");
  }

  /** The approver refuses on the device ({@code UNAUTHORIZED}). */
  public void deny(Notification notification) {
    answer(notification, "UNAUTHORIZED");
  }

  private void answer(Notification notification, String status) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(realmUrl + "/protocol/openid-connect/ext/ciba/auth/callback"))
        .timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + notification.bearer())
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"status\":\"" + status + "\"}")).build();
    try {
      int code = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      if (code / 100 != 2) {
        throw new IllegalStateException("Keycloak refused the device's " + status + ": " + code);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  void stop() {
    server.stop(0);
  }
}
