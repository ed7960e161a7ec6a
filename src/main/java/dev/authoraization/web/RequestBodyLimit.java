package dev.authoraization.web;

import dev.authoraization.call.ErrorCode;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * How much of a request body the engine reads, on every door: at most {@code bytes}
 * ({@code engine.server.max-request-body-size}, 1 MB), and then all of it.
 *
 * <ul>
 *   <li>Over the limit, Jetty's {@code SizeLimitHandler} ({@link JettyConfiguration}) refuses the
 *       request with 413: at once when its {@code Content-Length} says so, and as soon as a chunked
 *       body passes the limit while being read. Without it a caller (any signed-in one on the REST
 *       and MCP doors, for a start) could make a node hold a body of any size in memory.
 *   <li>{@link Drain} reads and discards what is left of a body the engine answered without reading
 *       it to its end (a JSON body refused at its first bad token, a body sent without a token).
 *       Jetty alone closes such a connection with the rest unread, and a client still writing its
 *       body then gets a reset instead of the answer. The limit bounds the drain.
 *   <li>The MCP door reads a body whole before its servlet, which would answer a refused read with
 *       a 500 ({@code mcp.TransportGuard}).
 * </ul>
 */
public record RequestBodyLimit(long bytes) {

  private static final Logger log = LoggerFactory.getLogger(RequestBodyLimit.class);

  static RequestBodyLimit of(DataSize size) {
    if (size.toBytes() < 1024) {
      throw new IllegalArgumentException(
          "engine.server.max-request-body-size must be at least 1KB, was " + size.toBytes() + " bytes");
    }
    return new RequestBodyLimit(size.toBytes());
  }

  /** The answer to a body over the limit, from Jetty itself, the REST door and the MCP door. */
  public ProblemDetail refusal() {
    return ProblemResponses.problem(ErrorCode.REQUEST_TOO_LARGE, "The request body is larger than the engine accepts ("
        + bytes + " bytes, engine.server.max-request-body-size); nothing was read or run.", Map.of());
  }

  /** Whether a failure is Jetty's refusal of a body over the limit, as it reaches a reader of the body. */
  public static boolean refused(Throwable failure) {
    return ProblemResponses.containerRefusal(failure).orElse(0) == HttpStatus.CONTENT_TOO_LARGE.value();
  }

  /** Whether the request comes with a body: a length over zero, or chunked. */
  public static boolean hasBody(HttpServletRequest request) {
    long length = request.getContentLengthLong();
    return length > 0 || (length < 0 && request.getHeader("Transfer-Encoding") != null);
  }

  /**
   * Reads to its end the body of a request that was answered without it (see the record's comment).
   * A client that sent {@code Expect: 100-continue} sends its body only when asked; if nothing asked
   * (nobody opened the body), it is not drained: Jetty answers without asking, and the client keeps
   * its body.
   */
  static final class Drain extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
        throws ServletException, IOException {
      var watched = new Watched(request);
      chain.doFilter(watched, response);
      // a parked long poll has read its body before it parked
      if (!request.isAsyncStarted() && hasBody(request) && (watched.opened || !expectsContinue(request))) {
        drain(request);
      }
    }

    private static boolean expectsContinue(HttpServletRequest request) {
      String expect = request.getHeader("Expect");
      return expect != null && expect.equalsIgnoreCase("100-continue");
    }

    private static void drain(HttpServletRequest request) {
      try {
        try {
          var in = request.getInputStream();
          if (!in.isFinished()) {
            in.transferTo(OutputStream.nullOutputStream());
          }
        } catch (IllegalStateException readerInUse) {
          request.getReader().transferTo(Writer.nullWriter());
        }
      } catch (IOException | RuntimeException e) {
        if (e instanceof RuntimeException unexpected && !refused(e)) {
          throw unexpected;
        }
        // over the limit (the connection closes after the answer) or the client went away
        log.debug("Request body not drained on {} {}: {}", request.getMethod(), request.getRequestURI(),
            e.getClass().getSimpleName());
      }
    }
  }

  /** Notes whether anything downstream opened the body. */
  private static final class Watched extends HttpServletRequestWrapper {

    private boolean opened;

    Watched(HttpServletRequest request) {
      super(request);
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
      opened = true;
      return super.getInputStream();
    }

    @Override
    public BufferedReader getReader() throws IOException {
      opened = true;
      return super.getReader();
    }
  }
}
