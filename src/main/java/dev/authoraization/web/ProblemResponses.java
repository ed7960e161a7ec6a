package dev.authoraization.web;

import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.dependency.DatabaseOutage;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import dev.authoraization.identity.IdentityUnavailableException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.eclipse.jetty.http.HttpException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.databind.json.JsonMapper;

/**
 * Maps failures to RFC 9457 problem details, once, for the whole REST door. Each problem carries
 * the stable {@code code} of its {@link ErrorCode}; messages never include a credential, a stack
 * trace or SQL.
 */
@RestControllerAdvice
public class ProblemResponses extends ResponseEntityExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ProblemResponses.class);
  private final JsonMapper json;
  private final RequestBodyLimit bodyLimit;

  ProblemResponses(JsonMapper json, RequestBodyLimit bodyLimit) {
    this.json = json;
    this.bodyLimit = bodyLimit;
  }

  /** A chunked body that passed the limit while being read: 413, as when its length said so at once. */
  @Override
  protected @Nullable ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e,
      HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    if (RequestBodyLimit.refused(e)) {
      return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).contentType(MediaType.APPLICATION_PROBLEM_JSON)
          .body(containerRefused(HttpStatus.CONTENT_TOO_LARGE.value()));
    }
    return super.handleHttpMessageNotReadable(e, headers, status, request);
  }

  @ExceptionHandler(GatewayException.class)
  ResponseEntity<ProblemDetail> gateway(GatewayException e) {
    ResponseEntity.BodyBuilder response = ResponseEntity.status(e.code().httpStatus())
        .contentType(MediaType.APPLICATION_PROBLEM_JSON);
    retryAfter(e.details()).ifPresent(seconds -> response.header("Retry-After", Long.toString(seconds)));
    return response.body(problem(e.code(), e.getMessage(), e.details()));
  }

  /** RFC 9110 {@code Retry-After} in seconds, when the failure says when to come back. */
  static Optional<Long> retryAfter(Map<String, String> details) {
    try {
      if (details.containsKey("retry_after_seconds")) {
        return Optional.of(Math.max(0, Long.parseLong(details.get("retry_after_seconds"))));
      }
      if (details.containsKey("reset_at")) {
        return Optional.of(Math.max(0, Duration.between(Instant.now(), Instant.parse(details.get("reset_at"))).toSeconds()));
      }
    } catch (RuntimeException notANumberOrTime) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  /** The database unreachable or too slow: 503 naming it ({@link DatabaseOutage}), not a 500 with SQL in it. */
  @ExceptionHandler({DataAccessResourceFailureException.class, TransientDataAccessException.class,
      RecoverableDataAccessException.class, CannotCreateTransactionException.class})
  ResponseEntity<ProblemDetail> databaseUnavailable(RuntimeException e, HttpServletRequest request) {
    log.warn("Database unavailable on {} {}: {}", request.getMethod(), request.getRequestURI(),
        e.getClass().getSimpleName());
    return gateway(DatabaseOutage.of(e).orElseThrow());
  }

  /**
   * Spring Security's firewall refusing what it finds when a form body is read for Spring's
   * conversion (a parameter name with line breaks, say): a 400. Its message quotes the name, so it
   * is neither logged nor answered.
   */
  @ExceptionHandler(RequestRejectedException.class)
  ResponseEntity<ProblemDetail> rejected(RequestRejectedException e, HttpServletRequest request) {
    log.debug("Request rejected by the firewall on {} {}", request.getMethod(), request.getRequestURI());
    return ResponseEntity.badRequest().contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .body(containerRefused(HttpStatus.BAD_REQUEST.value()));
  }

  @ExceptionHandler(RuntimeException.class)
  ResponseEntity<ProblemDetail> unexpected(RuntimeException e, HttpServletRequest request) {
    OptionalInt refused = containerRefusal(e);
    if (refused.isPresent()) {
      // Jetty could not read the request (a form body it cannot decode, read for Spring's
      // conversion): the client's mistake, answered as Jetty answers it, not a failure of ours
      log.debug("Request refused by the container on {} {}: {}", request.getMethod(), request.getRequestURI(),
          refused.getAsInt());
      return ResponseEntity.status(refused.getAsInt()).contentType(MediaType.APPLICATION_PROBLEM_JSON)
          .body(containerRefused(refused.getAsInt()));
    }
    if (e instanceof IllegalArgumentException && wildcardContentType(request)) {
      // Spring's ServletServerHttpRequest fails on a Content-Type such as */* where it should ignore
      // it (spring-framework#27957): the client's mistake, answered as any other unsupported type
      return ResponseEntity.status(HttpStatus.UNSUPPORTED_MEDIA_TYPE).contentType(MediaType.APPLICATION_PROBLEM_JSON)
          .body(ProblemDetail.forStatusAndDetail(HttpStatus.UNSUPPORTED_MEDIA_TYPE,
              "A Content-Type with a wildcard is not supported; send application/json."));
    }
    log.error("Unexpected failure on {} {}", request.getMethod(), request.getRequestURI(), e);
    ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
        "The engine failed unexpectedly; nothing was executed on your behalf. The error is logged.");
    body.setType(URI.create("urn:authoraization:problem:internal"));
    body.setProperty("code", "internal");
    return ResponseEntity.internalServerError().contentType(MediaType.APPLICATION_PROBLEM_JSON).body(body);
  }

  /**
   * The answer to a request the container (or the firewall in front of the door) would not let be
   * read, whichever reader met the refusal: the limit's 413, {@code invalid_arguments} for a 400, the
   * container's status otherwise. Nothing of the request is quoted.
   */
  private ProblemDetail containerRefused(int status) {
    if (status == HttpStatus.CONTENT_TOO_LARGE.value()) {
      return bodyLimit.refusal();
    }
    String detail = "The request could not be read; nothing was run.";
    return status == HttpStatus.BAD_REQUEST.value() ? problem(ErrorCode.INVALID_ARGUMENTS, detail, Map.of())
        : ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(status), detail);
  }

  private static boolean wildcardContentType(HttpServletRequest request) {
    try {
      MediaType type = request.getContentType() == null ? null : MediaType.parseMediaType(request.getContentType());
      return type != null && (type.isWildcardType() || type.isWildcardSubtype());
    } catch (IllegalArgumentException unparsable) {
      return false;
    }
  }

  /**
   * The 4xx status of Jetty's refusal to read the request (413 for a body over the limit), if that
   * is what failed.
   */
  static OptionalInt containerRefusal(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof HttpException http && http.getCode() >= 400 && http.getCode() < 500) {
        return OptionalInt.of(http.getCode());
      }
    }
    return OptionalInt.empty();
  }

  static ProblemDetail problem(ErrorCode code, String detail, Map<String, String> details) {
    ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(code.httpStatus()), detail);
    body.setType(URI.create("urn:authoraization:problem:" + code.id()));
    body.setProperty("code", code.id());
    details.forEach(body::setProperty);
    return body;
  }

  void unauthenticated(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
      throws IOException {
    if (e instanceof IdentityUnavailableException unavailable) {
      // the token may be fine: its issuer's keys could not be fetched, so nothing was checked or run
      response.setHeader("Retry-After", Long.toString(IdentityUnavailableException.RETRY_AFTER_SECONDS));
      write(response, problem(ErrorCode.DEPENDENCY_UNAVAILABLE, unavailable.getMessage(), Map.of("dependency", "identity",
          "retry_after_seconds", Long.toString(IdentityUnavailableException.RETRY_AFTER_SECONDS))));
      return;
    }
    response.setHeader("WWW-Authenticate", "Bearer");
    write(response, problem(ErrorCode.UNAUTHENTICATED,
        "A valid bearer token from a trusted issuer is required.", Map.of()));
  }

  void forbidden(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
      throws IOException {
    write(response, problem(ErrorCode.DENIED, "You may not use this endpoint.", Map.of("reason", "forbidden")));
  }

  private void write(HttpServletResponse response, ProblemDetail problem) throws IOException {
    response.setStatus(problem.getStatus());
    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    json.writeValue(response.getOutputStream(), problem);
  }
}
