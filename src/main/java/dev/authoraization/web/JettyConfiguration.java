package dev.authoraization.web;

import org.eclipse.jetty.server.ServerConnector;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.jetty.JettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What Spring Boot's {@code server.jetty.*} properties leave out (docs/adr/0015-jetty.md): the listen
 * backlog, where new connections wait while all {@code server.jetty.max-connections} are taken by
 * parked long polls. Jetty leaves it to the JVM (50); {@code engine.server.accept-queue-size} sets
 * it (1000, what {@code server.tomcat.accept-count} was); the kernel caps it at
 * {@code net.core.somaxconn}.
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
}
