package dev.authoraization.mcp;

import dev.authoraization.call.Caller;
import dev.authoraization.identity.CallerAuthentication;
import dev.authoraization.web.RequestBodyLimit;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.HttpHeaders;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.CharArrayWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.MissingNode;

/**
 * Stands between the MCP door's callers and the MCP SDK's servlet, which in these ways falls short
 * of what a security product can ship:
 *
 * <ul>
 *   <li>It answers Jetty's refusal of a chunked body over the engine's limit, met while reading, with
 *       a 500. The guard reads the body whole first, within {@link RequestBodyLimit}, answers the
 *       engine's 413 itself, and hands the servlet the body from memory.
 *   <li>It logs at ERROR the parser's message for a body it cannot read as a JSON-RPC message, and
 *       that message carries the caller's own text (a value that did not fit {@code initialize}'s
 *       params, line breaks included): any signed-in client could write lines of its choosing into
 *       the engine's log. The guard parses the body with the SDK's own parser first and answers what
 *       the SDK would refuse with a JSON-RPC error of its own: {@code -32700} (not JSON),
 *       {@code -32600} (not one request, notification or response; batches included), {@code -32602}
 *       (the params of {@code initialize}, {@code tools/call} or {@code logging/setLevel} do not fit
 *       the schema; a response, as this server sends clients no requests: the SDK answered one with a
 *       500 and logged its id at ERROR). Nothing of the body is logged.
 *   <li>It writes each of its error answers as its {@code McpError} exception serialized whole: the
 *       server's stack trace, class names and line numbers, to any signed-in client. The guard
 *       rewrites every error answer of the SDK into a JSON-RPC error response keeping only the error's
 *       code and, below 500, its message. Reported upstream as modelcontextprotocol/java-sdk#955
 *       (open for SDK 2.1.0); once a release writes envelopes itself, this part can go.
 *   <li>It logs at WARN, params included, every notification in a session it has no handler for,
 *       and that is every one but {@code notifications/initialized}: {@code notifications/cancelled},
 *       which clients send whenever their user stops a call, raised a WARN in normal use, and any
 *       client could raise as many as it liked. The guard takes such a notification itself and
 *       answers it as the transport does (202, no body): a cancellation of a call that waits for an
 *       approval withdraws the request ({@link InFlightCalls}); the others change nothing, as with
 *       the SDK. Without a session header the SDK still answers its 400.
 *   <li>It keeps a session in the memory of the node that opened it and serves it to anyone who
 *       names its id. The guard hands the SDK the id under which this node holds the client's
 *       session, taking it up when another node opened it, and answers 404 to anyone but the
 *       session's opener ({@link SharedSessions}).
 * </ul>
 *
 * After Spring Security: a caller without a valid token is refused before its body is read.
 */
final class TransportGuard extends OncePerRequestFilter {

  private static final Logger log = LoggerFactory.getLogger(TransportGuard.class);

  /**
   * The requests whose params the SDK converts to its schema for the methods this server offers;
   * it answers a failure with a 500 or, inside a session, with an empty 200 and an ERROR log.
   */
  private static final Map<String, TypeRef<?>> PARAMS = Map.of(
      McpSchema.METHOD_INITIALIZE, new TypeRef<McpSchema.InitializeRequest>() {},
      McpSchema.METHOD_TOOLS_CALL, new TypeRef<McpSchema.CallToolRequest>() {},
      McpSchema.METHOD_LOGGING_SET_LEVEL, new TypeRef<McpSchema.SetLevelRequest>() {});

  /** The MCP specification's cancellation, which SDK 2.1.0 has no name for. */
  static final String CANCELLED = "notifications/cancelled";

  private final RequestBodyLimit limit;
  private final JsonMapper problems;
  private final McpJsonMapper mcpJson;
  private final InFlightCalls inFlight;
  private final SharedSessions sessions;

  TransportGuard(RequestBodyLimit limit, JsonMapper problems, McpJsonMapper mcpJson, InFlightCalls inFlight,
      SharedSessions sessions) {
    this.limit = limit;
    this.problems = problems;
    this.mcpJson = mcpJson;
    this.inFlight = inFlight;
    this.sessions = sessions;
  }

  /** What the guard makes of a body: the SDK's to handle, or the guard's to answer. */
  private sealed interface Verdict permits ToTheSdk, Notification, Refusal {}

  /**
   * For the SDK; a tools/call in a session carries its {@link InFlightCalls.Key} there, an
   * initialize the protocol version it asks for.
   */
  private record ToTheSdk(InFlightCalls.@Nullable Key call, @Nullable String initialize) implements Verdict {

    ToTheSdk() {
      this(null, null);
    }
  }

  /** A notification in {@code session} other than {@code notifications/initialized}: the guard's. */
  private record Notification(String session, McpSchema.JSONRPCNotification message) implements Verdict {}

  /** A JSON-RPC error the guard answers itself; {@code id} is null when the request's could not be read. */
  private record Refusal(int code, String message, @Nullable Object id) implements Verdict {}

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    var errors = new ErrorAnswers(response);
    if (!"POST".equals(request.getMethod())) {
      toTheSdk(request, request, errors, chain);
      return;
    }
    byte[] body;
    try {
      body = RequestBodyLimit.hasBody(request) ? request.getInputStream().readAllBytes() : new byte[0];
    } catch (IOException | RuntimeException e) { // Jetty's refusal comes unwrapped here
      if (!RequestBodyLimit.refused(e)) {
        throw e;
      }
      response.setStatus(HttpStatus.CONTENT_TOO_LARGE.value());
      response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
      problems.writeValue(response.getOutputStream(), limit.refusal());
      return;
    }
    var inMemory = new InMemory(request, body);
    // any other content type: the SDK answers 415
    switch (isJson(request) ? check(inMemory) : new ToTheSdk()) {
      case Refusal refusal -> {
        log.debug("MCP body refused with JSON-RPC error {} ({} bytes)", refusal.code(), body.length);
        errors.answer(HttpStatus.BAD_REQUEST.value(), refusal.code(), refusal.message(), refusal.id());
      }
      case Notification notification -> {
        cancelled(notification, request);
        response.setStatus(HttpStatus.ACCEPTED.value());
      }
      case ToTheSdk(InFlightCalls.Key call, String initialize) -> {
        if (call != null) {
          inMemory.setAttribute(InFlightCalls.KEY, call);
        }
        Caller caller = caller(request);
        if (initialize != null && caller != null) {
          // recorded before the answer leaves: the client's next request may reach another node at once
          errors.onSessionOpened(opened -> sessions.opened(opened, caller, initialize));
        }
        toTheSdk(request, inMemory, errors, chain);
      }
    }
  }

  /**
   * Hands the request to the SDK with the session id its SDK knows the client's session by ({@link
   * SharedSessions}: the same, or that of the session this node took up), then writes any error
   * answer; a session someone else opened is answered 404 here.
   */
  private void toTheSdk(HttpServletRequest request, HttpServletRequest body, ErrorAnswers errors, FilterChain chain)
      throws IOException, ServletException {
    String session = request.getHeader(HttpHeaders.MCP_SESSION_ID);
    Caller caller = caller(request);
    HttpServletRequest toSdk = body;
    if (session != null && caller != null) {
      String local = sessions.local(session, caller, request);
      if (local == null) { // someone else's session: as the SDK answers an unknown one
        errors.answer(HttpStatus.NOT_FOUND.value(), -32603, "Session not found: " + session, null);
        return;
      }
      if (!local.equals(session)) {
        toSdk = new InSession(body, local);
      }
    }
    chain.doFilter(toSdk, errors);
    if (session != null) {
      if (errors.getStatus() == HttpStatus.NOT_FOUND.value()) { // swept by the SDK, or never known here
        sessions.forget(session);
      } else if ("DELETE".equals(request.getMethod()) && errors.getStatus() < 400) {
        sessions.closed(session);
      }
    }
    errors.finish();
  }

  private static @Nullable Caller caller(HttpServletRequest request) {
    return request.getUserPrincipal() instanceof CallerAuthentication authentication ? authentication.caller() : null;
  }

  /** A cancellation of a call in this session by the caller who made it: withdraws what it waits for. */
  private void cancelled(Notification notification, HttpServletRequest request) throws IOException {
    if (CANCELLED.equals(notification.message().method())
        && notification.message().params() instanceof Map<?, ?> params && params.get("requestId") != null
        && caller(request) instanceof Caller caller) {
      String requestId = mcpJson.writeValueAsString(params.get("requestId"));
      inFlight.cancel(new InFlightCalls.Key(notification.session(), requestId), caller);
    }
  }

  /** The SDK's own test: the media type, before any parameter, is {@code application/json}. */
  private static boolean isJson(HttpServletRequest request) {
    String type = request.getContentType();
    if (type == null) {
      return false;
    }
    int parameters = type.indexOf(';');
    return (parameters < 0 ? type : type.substring(0, parameters)).trim().equalsIgnoreCase("application/json");
  }

  /** What the SDK's {@code doPost} would fail to read or log, and how the guard answers it instead. */
  private Verdict check(InMemory request) throws IOException {
    String text;
    try {
      text = new String(request.body, request.charset());
    } catch (UnsupportedEncodingException unknown) {
      return new Refusal(-32700, "Parse error: the body's charset is not one the engine knows; send UTF-8.", null);
    }
    McpSchema.JSONRPCMessage message;
    try {
      message = McpSchema.deserializeJsonRpcMessage(mcpJson, text);
    } catch (IOException | RuntimeException e) { // JSON null: the SDK's parser fails on it with a NullPointerException
      return causedBy(e, StreamReadException.class)
          ? new Refusal(-32700, "Parse error: the body is not valid JSON.", null)
          : new Refusal(-32600, "Invalid Request: the body is not one JSON-RPC 2.0 request, notification or "
              + "response (batches are not accepted).", null);
    }
    if (message instanceof McpSchema.JSONRPCResponse) {
      return new Refusal(-32600, "Invalid Request: this server sends no requests to clients, so a response "
          + "answers nothing.", null);
    }
    if (message instanceof McpSchema.JSONRPCRequest call && PARAMS.containsKey(call.method())) {
      try {
        if (mcpJson.convertValue(call.params(), PARAMS.get(call.method())) == null) {
          throw new IllegalArgumentException("no params"); // the SDK would fail on them with a 500
        }
      } catch (IllegalArgumentException e) { // the SDK's mapper wraps Jackson's failure
        return new Refusal(-32602, "Invalid params: the params of " + call.method()
            + " do not match the MCP schema.", call.id());
      }
    }
    if (message instanceof McpSchema.JSONRPCRequest call && McpSchema.METHOD_INITIALIZE.equals(call.method())) {
      // a session header on it changes nothing: the SDK opens a new session
      var initialize = mcpJson.convertValue(call.params(), McpSchema.InitializeRequest.class);
      return new ToTheSdk(null, initialize.protocolVersion());
    }
    String session = request.getHeader(HttpHeaders.MCP_SESSION_ID);
    if (session == null) {
      return new ToTheSdk();
    }
    if (message instanceof McpSchema.JSONRPCNotification notification
        && !McpSchema.METHOD_NOTIFICATION_INITIALIZED.equals(notification.method())) {
      return new Notification(session, notification);
    }
    if (message instanceof McpSchema.JSONRPCRequest call && McpSchema.METHOD_TOOLS_CALL.equals(call.method())) {
      return new ToTheSdk(new InFlightCalls.Key(session, mcpJson.writeValueAsString(call.id())), null);
    }
    return new ToTheSdk();
  }

  private static boolean causedBy(Throwable failure, Class<? extends Throwable> kind) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (kind.isInstance(cause)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Holds back what the SDK writes as an error answer (any status from 400 on) and writes a JSON-RPC
   * error response instead, with only the error's code and, below 500, its message: an answer above
   * that says only that the engine failed. Answers below 400 (results, event streams) pass through.
   */
  private final class ErrorAnswers extends HttpServletResponseWrapper {

    private @Nullable CharArrayWriter held;
    private @Nullable Consumer<String> sessionOpened;

    ErrorAnswers(HttpServletResponse response) {
      super(response);
    }

    /** Told the id of the session the SDK opens, when it sets the header and before it writes the answer. */
    void onSessionOpened(Consumer<String> listener) {
      this.sessionOpened = listener;
    }

    @Override
    public void setHeader(String name, String value) {
      if (sessionOpened != null && HttpHeaders.MCP_SESSION_ID.equalsIgnoreCase(name)) {
        sessionOpened.accept(value);
      }
      super.setHeader(name, value);
    }

    @Override
    public PrintWriter getWriter() throws IOException {
      if (getStatus() < 400) {
        return super.getWriter();
      }
      if (held == null) {
        held = new CharArrayWriter();
      }
      return new PrintWriter(held);
    }

    /** Writes the held error answer, if any, as a JSON-RPC error response. */
    void finish() throws IOException {
      if (held == null) {
        return;
      }
      int status = getStatus();
      JsonNode error = readError(held.toString());
      int code = error.path("code").asInt(-32603);
      String message = status < 500 && error.path("message").isString() ? error.path("message").asString()
          : "Internal error: the engine could not handle this request; its log has the details.";
      answer(status, code, message, null);
    }

    private JsonNode readError(String written) {
      try {
        return mcpJson.readValue(written, JsonNode.class).path("jsonRpcError");
      } catch (IOException | RuntimeException unreadable) {
        return MissingNode.getInstance();
      }
    }

    void answer(int status, int code, String message, @Nullable Object id) throws IOException {
      HttpServletResponse response = (HttpServletResponse) getResponse();
      response.resetBuffer();
      response.setStatus(status);
      response.setContentType(MediaType.APPLICATION_JSON_VALUE);
      response.setCharacterEncoding(StandardCharsets.UTF_8.name());
      Map<String, Object> error = new LinkedHashMap<>();
      error.put("code", code);
      error.put("message", message);
      Map<String, Object> envelope = new LinkedHashMap<>();
      envelope.put("jsonrpc", McpSchema.JSONRPC_VERSION);
      envelope.put("id", id);
      envelope.put("error", error);
      // the writer, as the SDK uses: the wrapped response may have handed it out already
      response.getWriter().write(mcpJson.writeValueAsString(envelope));
    }
  }

  /** A request of the client's session, to the SDK under the id this node's SDK knows that session by. */
  private static final class InSession extends HttpServletRequestWrapper {

    private final String session;

    InSession(HttpServletRequest request, String session) {
      super(request);
      this.session = session;
    }

    @Override
    public @Nullable String getHeader(String name) {
      return HttpHeaders.MCP_SESSION_ID.equalsIgnoreCase(name) ? session : super.getHeader(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
      return HttpHeaders.MCP_SESSION_ID.equalsIgnoreCase(name) ? Collections.enumeration(List.of(session))
          : super.getHeaders(name);
    }
  }

  /** A request whose body has been read already, served again from memory. */
  static class InMemory extends HttpServletRequestWrapper {

    private final byte[] body;

    InMemory(HttpServletRequest request, byte[] body) {
      super(request);
      this.body = body;
    }

    @Override
    public ServletInputStream getInputStream() {
      var in = new ByteArrayInputStream(body);
      return new ServletInputStream() {
        @Override
        public int read() {
          return in.read();
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
          return in.read(buffer, offset, length);
        }

        @Override
        public boolean isFinished() {
          return in.available() == 0;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          throw new UnsupportedOperationException("the body is in memory: read it directly");
        }
      };
    }

    @Override
    public BufferedReader getReader() throws UnsupportedEncodingException {
      return new BufferedReader(new InputStreamReader(getInputStream(), charset()));
    }

    /** As the container's: an encoding the JVM does not know is an {@link UnsupportedEncodingException}. */
    Charset charset() throws UnsupportedEncodingException {
      String encoding = getCharacterEncoding();
      try {
        return encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
      } catch (IllegalArgumentException unknown) { // IllegalCharsetName, UnsupportedCharset
        throw new UnsupportedEncodingException(encoding);
      }
    }
  }
}
