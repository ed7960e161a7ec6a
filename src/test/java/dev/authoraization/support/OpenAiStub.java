package dev.authoraization.support;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A local {@code POST /v1/chat/completions} that answers {@code "stream": true} requests as
 * OpenAI's reference describes them (https://platform.openai.com/docs/api-reference/chat/create,
 * https://platform.openai.com/docs/api-reference/chat-streaming/streaming,
 * https://platform.openai.com/docs/guides/function-calling#streaming): a {@code text/event-stream}
 * of {@code chat.completion.chunk} objects, the first with {@code delta.role}, then
 * {@code delta.content} pieces or {@code delta.tool_calls[]} entries ({@code index}; {@code id},
 * {@code type} and {@code function.name} in the first fragment only; {@code function.arguments} in
 * pieces), a last chunk with an empty delta and {@code finish_reason}, and {@code data: [DONE]}.
 * Each queued answer serves one request; a non-streaming request gets a 400, none left a 500.
 */
public final class OpenAiStub implements AutoCloseable {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  public final Queue<List<String>> answers = new ConcurrentLinkedQueue<>();
  public final List<JsonNode> requests = new CopyOnWriteArrayList<>();
  public final List<String> authorizations = new CopyOnWriteArrayList<>();
  private final HttpServer server;

  public OpenAiStub() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/v1/chat/completions", exchange -> {
      JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
      requests.add(request);
      authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
      List<String> chunks = answers.poll();
      if (chunks == null || !request.path("stream").asBoolean(false)) {
        byte[] body = ("{\"error\":{\"message\":\"" + (chunks == null ? "no more answers" : "stream expected")
            + "\",\"type\":\"invalid_request_error\"}}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(chunks == null ? 500 : 400, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
        return;
      }
      exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
      exchange.sendResponseHeaders(200, 0);
      try (OutputStream out = exchange.getResponseBody()) {
        for (String chunk : chunks) {
          out.write(("data: " + chunk + "\n\n").getBytes(StandardCharsets.UTF_8));
          out.flush();
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
      }
    });
    server.start();
  }

  /** The base URL to configure, with {@code /v1}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  @Override
  public void close() {
    server.stop(0);
  }

  /** One {@code chat.completion.chunk} with this {@code delta} and {@code finish_reason}. */
  public static String chunk(String id, String delta, @Nullable String finishReason) {
    return """
        {"id":"%s","object":"chat.completion.chunk","created":1735689600,"model":"gpt-4o-mini-2024-07-18",\
        "system_fingerprint":"fp_test","choices":[{"index":0,"delta":%s,"logprobs":null,"finish_reason":%s}]}"""
        .formatted(id, delta, finishReason == null ? "null" : "\"" + finishReason + "\"");
  }

  /** A tool call whose arguments arrive in the given pieces, as OpenAI streams one. */
  public static List<String> toolCall(String callId, String name, String... argumentPieces) {
    List<String> chunks = new ArrayList<>();
    chunks.add(chunk("chatcmpl-1", """
        {"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"%s","type":"function",\
        "function":{"name":"%s","arguments":""}}],"refusal":null}""".formatted(callId, name), null));
    for (String piece : argumentPieces) {
      chunks.add(chunk("chatcmpl-1", """
          {"tool_calls":[{"index":0,"function":{"arguments":%s}}]}""".formatted(JSON.writeValueAsString(piece)),
          null));
    }
    chunks.add(chunk("chatcmpl-1", "{}", "tool_calls"));
    return chunks;
  }

  /** A text answer in the given pieces. */
  public static List<String> text(String... pieces) {
    List<String> chunks = new ArrayList<>();
    chunks.add(chunk("chatcmpl-2", "{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}", null));
    for (String piece : pieces) {
      chunks.add(chunk("chatcmpl-2", "{\"content\":" + JSON.writeValueAsString(piece) + "}", null));
    }
    chunks.add(chunk("chatcmpl-2", "{}", "stop"));
    return chunks;
  }
}
