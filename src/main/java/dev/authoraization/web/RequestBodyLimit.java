package dev.authoraization.web;

import dev.authoraization.call.ErrorCode;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UnsupportedEncodingException;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

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
 *   <li>{@link #readWholeFirst} reads a body whole before a servlet that would answer a refused
 *       read with a 500 (the MCP door's).
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
  ProblemDetail refusal() {
    return ProblemResponses.problem(ErrorCode.REQUEST_TOO_LARGE, "The request body is larger than the engine accepts ("
        + bytes + " bytes, engine.server.max-request-body-size); nothing was read or run.", Map.of());
  }

  /** Whether a failure is Jetty's refusal of a body over the limit, as it reaches a reader of the body. */
  static boolean refused(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof HttpException http && http.getCode() == 413) {
        return true;
      }
    }
    return false;
  }

  /**
   * For a servlet that reads its body itself and answers a failed read with a 500 (the MCP SDK's):
   * reads the body whole first, within the limit, answers 413 itself when it is over, and hands the
   * servlet the body from memory. A body within the limit is held once more, briefly; such a
   * servlet holds it whole anyway.
   */
  public OncePerRequestFilter readWholeFirst(JsonMapper json) {
    return new OncePerRequestFilter() {
      @Override
      protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
          throws ServletException, IOException {
        if (!Drain.hasBody(request)) {
          chain.doFilter(request, response);
          return;
        }
        byte[] body;
        try {
          body = request.getInputStream().readAllBytes();
        } catch (IOException | RuntimeException e) { // Jetty's refusal comes unwrapped here
          if (!refused(e)) {
            throw e;
          }
          response.setStatus(HttpStatus.CONTENT_TOO_LARGE.value());
          response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
          json.writeValue(response.getOutputStream(), refusal());
          return;
        }
        chain.doFilter(new InMemory(request, body), response);
      }
    };
  }

  /** A request whose body has been read already, served again from memory. */
  private static final class InMemory extends HttpServletRequestWrapper {

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

    /** As the container's: an encoding the JVM does not know is an {@link UnsupportedEncodingException}. */
    @Override
    public BufferedReader getReader() throws UnsupportedEncodingException {
      String encoding = getCharacterEncoding();
      Charset charset;
      try {
        charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
      } catch (IllegalArgumentException unknown) { // IllegalCharsetName, UnsupportedCharset
        throw new UnsupportedEncodingException(encoding);
      }
      return new BufferedReader(new InputStreamReader(getInputStream(), charset));
    }
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

    static boolean hasBody(HttpServletRequest request) {
      long length = request.getContentLengthLong();
      return length > 0 || (length < 0 && request.getHeader("Transfer-Encoding") != null);
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
