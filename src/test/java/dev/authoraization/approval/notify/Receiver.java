package dev.authoraization.approval.notify;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A real local HTTP server that records every request and answers with scripted statuses (the last
 * one repeats), standing in for Slack, ntfy or a webhook receiver.
 */
final class Receiver implements AutoCloseable {

  /** One request as received; header names in lower case. */
  record Received(String method, String path, Map<String, List<String>> headers, String body) {

    String header(String name) {
      List<String> values = headers.getOrDefault(name.toLowerCase(java.util.Locale.ROOT), List.of());
      return values.isEmpty() ? "" : values.getFirst();
    }
  }

  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Deque<Integer> statuses;

  Receiver(Integer... statuses) throws IOException {
    this.statuses = new ArrayDeque<>(List.of(statuses.length == 0 ? new Integer[] {200} : statuses));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      Map<String, List<String>> headers = new java.util.HashMap<>();
      exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), List.copyOf(v)));
      received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers, body));
      int status;
      synchronized (this.statuses) {
        status = this.statuses.size() > 1 ? this.statuses.removeFirst() : this.statuses.getFirst();
      }
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    server.start();
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
