package dev.authoraization.web;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.SizeLimitHandler;
import org.eclipse.jetty.util.Callback;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.jetty.JettyServerCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.MediaType;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;

/**
 * What Spring Boot's {@code server.jetty.*} properties leave out (docs/adr/0015-jetty.md):
 * <ul>
 *   <li>the listen backlog, where new connections wait while all {@code server.jetty.max-connections}
 *       are taken by parked long polls. Jetty leaves it to the JVM (50);
 *       {@code engine.server.accept-queue-size} sets it (1000, what {@code server.tomcat.accept-count}
 *       was); the kernel caps it at {@code net.core.somaxconn}.
 *   <li>a limit on request bodies, {@code engine.server.max-request-body-size} (1 MB): Jetty's
 *       {@link SizeLimitHandler} in front of everything, its 413 written as the engine's problem
 *       details, and the {@link RequestBodyLimit.Drain} filter.
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class JettyConfiguration {

  @Bean
  JettyServerCustomizer acceptQueue(@Value("${engine.server.accept-queue-size:1000}") int size) {
    if (size < 1) {
      throw new IllegalArgumentException("engine.server.accept-queue-size must be at least 1, was " + size);
    }
    return server -> {
      for (var connector : server.getConnectors()) {
        if (connector instanceof ServerConnector listening) {
          listening.setAcceptQueueSize(size);
        }
      }
    };
  }

  @Bean
  RequestBodyLimit requestBodyLimit(@Value("${engine.server.max-request-body-size:1MB}") DataSize size) {
    return RequestBodyLimit.of(size);
  }

  @Bean
  JettyServerCustomizer requestBodySizeLimit(RequestBodyLimit limit, JsonMapper json) {
    byte[] refusal = json.writeValueAsBytes(limit.refusal());
    return server -> {
      server.insertHandler(new SizeLimitHandler(limit.bytes(), -1));
      server.setErrorHandler(new ErrorHandler() {
        @Override
        protected void generateResponse(Request request, Response response, int code, String message,
            Throwable cause, Callback callback) throws IOException {
          if (code != 413) {
            super.generateResponse(request, response, code, message, cause, callback);
            return;
          }
          response.getHeaders().put(HttpHeader.CONTENT_TYPE, MediaType.APPLICATION_PROBLEM_JSON_VALUE);
          response.getHeaders().put("X-Content-Type-Options", "nosniff");
          response.write(true, ByteBuffer.wrap(refusal), callback);
        }
      });
    };
  }

  @Bean
  FilterRegistrationBean<RequestBodyLimit.Drain> unreadBodyDrain() {
    var registration = new FilterRegistrationBean<>(new RequestBodyLimit.Drain());
    // outermost, so that it drains after Spring Security's refusals (401, 403) as well
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
    return registration;
  }
}
