package dev.authoraization.mcp;

import dev.authoraization.call.Caller;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.HttpHeaders;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * MCP sessions that every node of an installation can serve. The MCP SDK keeps a session in the
 * memory of the node that opened it (modelcontextprotocol/java-sdk#499), so behind a load balancer
 * without client affinity, or after that node restarted, the client's next request found
 * {@code 404 Session not found} on another node. Now the node that opens a session writes a row
 * ({@code mcp_session}: id, who opened it, the protocol version asked for), and a node that gets a
 * request for a session it does not hold takes it up: it opens a session of its own in its SDK with
 * the same protocol version, and {@link TransportGuard} hands the SDK that local id in place of
 * the client's for as long as this node runs. The SDK holds nothing else a request of this server
 * depends on: the caller is read from each request's token, and a call's answer, progress
 * included, goes back on that request's own stream.
 *
 * <p>A session is its opener's: on every node, a request of a session that someone else opened
 * (issuer and subject of the token) gets the SDK's {@code 404 Session not found}. The SDK alone
 * served anyone who knew the id, its listening stream (server notifications) included.
 *
 * <p>A row lives for {@link #LIFETIME}; a session deleted by its client ({@code DELETE /mcp}) is
 * deleted here and on this node, while a node that had taken it up keeps its copy until the SDK's
 * sweep ends it.
 */
@Component
class SharedSessions {

  private static final Logger log = LoggerFactory.getLogger(SharedSessions.class);

  /** How long a session can be taken up by another node after it was opened. */
  static final Duration LIFETIME = Duration.ofDays(1);

  /** What a protocol version looks like (a date, {@code 2025-11-25}); anything else is not stored. */
  private static final Pattern VERSION = Pattern.compile("[0-9A-Za-z.\\-]{1,32}");

  private final JdbcClient jdbc;
  private final Clock clock;
  /** This node's MCP SDK, whose servlet takes up sessions. */
  private final HttpServlet sdk;
  /** The client's session id → the id this node's SDK knows it by (the same for sessions opened here). */
  private final Map<String, Local> local = new ConcurrentHashMap<>();
  /** A lock, not {@code synchronized}: the SDK call under it must not pin a virtual thread's carrier on JDK 21. */
  private final ReentrantLock takingUp = new ReentrantLock();

  /** A session of this node's SDK, whose it is, and when it was last used here. */
  private record Local(String id, String owner, Instant used) {}

  SharedSessions(JdbcClient jdbc, Clock clock, HttpServletStreamableServerTransportProvider sdk) {
    this.jdbc = jdbc;
    this.clock = clock;
    this.sdk = sdk;
  }

  /** This node's SDK opened session {@code id} for {@code caller}: every node may now serve it. */
  void opened(String id, Caller caller, String protocolVersion) {
    local.put(id, new Local(id, caller.principal(), clock.instant()));
    if (!VERSION.matcher(protocolVersion).matches()) {
      return; // the SDK answered with its own version; a client that sent this one stays on this node
    }
    try {
      jdbc.sql("INSERT INTO mcp_session (id, owner_issuer, owner_subject, protocol_version, created_at) "
              + "VALUES (?, ?, ?, ?, ?)")
          .params(id, caller.issuer(), caller.subject(), protocolVersion, Timestamp.from(clock.instant())).update();
    } catch (DataAccessException e) { // the session still works here; only other nodes cannot take it up
      log.warn("MCP session could not be shared with the other nodes ({}); it is served by this node only",
          e.getClass().getSimpleName());
    }
  }

  /**
   * The id to hand this node's SDK for the client's session {@code id}: the id it knows the session
   * by, after taking it up when {@code caller} opened it on another node; {@code id} itself when no
   * node recorded it (the SDK answers 404, as for any unknown session); null when it was opened by
   * someone else, whose session this caller cannot use.
   */
  @Nullable String local(String id, Caller caller, HttpServletRequest request) throws IOException, ServletException {
    Local known = local.get(id);
    if (known != null) {
      if (!known.owner().equals(caller.principal())) {
        return null;
      }
      local.replace(id, known, new Local(known.id(), known.owner(), clock.instant()));
      return known.id();
    }
    Optional<String> version = openedBy(id, caller);
    if (version.isEmpty()) {
      return id;
    }
    takingUp.lock(); // two requests of one session arriving at once take it up once
    try {
      known = local.get(id);
      if (known == null) {
        String taken = takeUp(version.get(), request);
        if (taken == null) {
          return id;
        }
        known = new Local(taken, caller.principal(), clock.instant());
        local.put(id, known);
        log.info("MCP session opened on another node taken up here");
      }
      return known.owner().equals(caller.principal()) ? known.id() : null;
    } finally {
      takingUp.unlock();
    }
  }

  /** This node's SDK no longer knows {@code id} (it answered 404): the next request takes it up again. */
  void forget(String id) {
    local.remove(id);
  }

  /** The client ended session {@code id}. */
  void closed(String id) {
    local.remove(id);
    try {
      jdbc.sql("DELETE FROM mcp_session WHERE id = ?").param(id).update();
    } catch (DataAccessException e) { // the row goes with the daily purge
      log.warn("Ended MCP session could not be deleted from the database ({})", e.getClass().getSimpleName());
    }
  }

  /**
   * Sessions opened more than {@link #LIFETIME} ago can no longer be taken up, and this node forgets
   * the sessions nobody used here for as long (the SDK's sweep ended them long before).
   */
  @Scheduled(fixedDelayString = "PT1H", initialDelayString = "PT1M")
  void purge() {
    Instant before = clock.instant().minus(LIFETIME);
    local.values().removeIf(known -> known.used().isBefore(before));
    try {
      int purged = jdbc.sql("DELETE FROM mcp_session WHERE created_at < ?")
          .param(Timestamp.from(before)).update();
      log.debug("{} MCP sessions older than {} deleted", purged, LIFETIME);
    } catch (DataAccessException e) {
      log.warn("Old MCP sessions could not be deleted ({}); next try in an hour", e.getClass().getSimpleName());
    }
  }

  /** The protocol version of session {@code id} when {@code caller} opened it, on any node, within its lifetime. */
  private Optional<String> openedBy(String id, Caller caller) {
    if (id.length() > 64) {
      return Optional.empty();
    }
    try {
      return jdbc.sql("SELECT protocol_version FROM mcp_session WHERE id = ? AND owner_issuer = ? "
              + "AND owner_subject = ? AND created_at > ?")
          .params(id, caller.issuer(), caller.subject(), Timestamp.from(clock.instant().minus(LIFETIME)))
          .query(String.class).optional();
    } catch (DataAccessException e) { // as if unknown: the SDK answers 404 and the client opens a new session
      log.warn("MCP session could not be looked up ({})", e.getClass().getSimpleName());
      return Optional.empty();
    }
  }

  /**
   * Opens a session in this node's SDK as the client did on the other node (its protocol version;
   * the client's capabilities and name are not needed by this server), then sends the initialized
   * notification; the new session's id, or null when the SDK refused.
   */
  private @Nullable String takeUp(String protocolVersion, HttpServletRequest request)
      throws IOException, ServletException {
    var initialize = new Internal(request, null, """
        {"jsonrpc":"2.0","id":"take-up","method":"initialize","params":{"protocolVersion":"%s",\
        "capabilities":{},"clientInfo":{"name":"taken up from another node","version":"-"}}}"""
        .formatted(protocolVersion));
    var opened = new Captured();
    sdk.service(initialize, opened);
    String id = opened.header(HttpHeaders.MCP_SESSION_ID);
    if (opened.status != HttpServletResponse.SC_OK || id == null) {
      log.warn("This node's MCP SDK refused to take up a session from another node (HTTP {})", opened.status);
      return null;
    }
    sdk.service(new Internal(request, id, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"),
        new Captured());
    return id;
  }

  /** A POST of the engine's own to the SDK, carrying the caller's request's principal and origin. */
  private static final class Internal extends TransportGuard.InMemory {

    private final @Nullable String session;
    private final int length;

    Internal(HttpServletRequest request, @Nullable String session, String body) {
      this(request, session, body.getBytes(StandardCharsets.UTF_8));
    }

    private Internal(HttpServletRequest request, @Nullable String session, byte[] body) {
      super(request, body);
      this.session = session;
      this.length = body.length;
    }

    @Override
    public String getMethod() {
      return "POST";
    }

    @Override
    public @Nullable String getHeader(String name) {
      return switch (name.toLowerCase(Locale.ROOT)) {
        case "content-type" -> getContentType();
        case "accept" -> "application/json, text/event-stream";
        case "mcp-session-id" -> session;
        case "content-length" -> String.valueOf(length);
        case "last-event-id", "transfer-encoding" -> null;
        default -> super.getHeader(name);
      };
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
      String value = getHeader(name);
      return value == null ? Collections.emptyEnumeration() : Collections.enumeration(List.of(value));
    }

    @Override
    public String getContentType() {
      return "application/json";
    }

    @Override
    public String getCharacterEncoding() {
      return StandardCharsets.UTF_8.name();
    }

    @Override
    public int getContentLength() {
      return length;
    }

    @Override
    public long getContentLengthLong() {
      return length;
    }
  }

  /** The SDK's answer to an {@link Internal} request, kept here: nothing of it reaches the client. */
  private static final class Captured extends HttpServletResponseWrapper {

    private final Map<String, String> headers = new ConcurrentHashMap<>();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private int status = HttpServletResponse.SC_OK;

    /** Under the wrapper, a response that goes nowhere: whatever is not kept above is dropped. */
    private static final HttpServletResponse DETACHED = (HttpServletResponse) Proxy.newProxyInstance(
        SharedSessions.class.getClassLoader(), new Class<?>[] {HttpServletResponse.class},
        (proxy, method, arguments) -> switch (method.getReturnType().getName()) {
          case "boolean" -> false;
          case "int" -> 0;
          case "long" -> 0L;
          default -> null;
        });

    Captured() {
      super(DETACHED);
    }

    @Nullable String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public void setHeader(String name, String value) {
      headers.put(name.toLowerCase(Locale.ROOT), value);
    }

    @Override
    public void addHeader(String name, String value) {
      setHeader(name, value);
    }

    @Override
    public void setStatus(int status) {
      this.status = status;
    }

    @Override
    public void sendError(int status) {
      this.status = status;
    }

    @Override
    public void sendError(int status, String message) {
      this.status = status;
    }

    @Override
    public int getStatus() {
      return status;
    }

    @Override
    public PrintWriter getWriter() {
      return new PrintWriter(body, true, StandardCharsets.UTF_8);
    }

    @Override
    public ServletOutputStream getOutputStream() {
      return new ServletOutputStream() {
        @Override
        public void write(int b) {
          body.write(b);
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
          throw new UnsupportedOperationException("the answer is kept in memory");
        }
      };
    }
  }
}
