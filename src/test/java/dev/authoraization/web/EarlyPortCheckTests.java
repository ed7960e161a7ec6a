package dev.authoraization.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * The port is tried only where a web server will bind it; {@code cluster.FailedStartIT} checks the
 * whole start with the jar.
 */
class EarlyPortCheckTests {

  @Test
  void aPortAnotherSocketHoldsFailsTheStartWithSpringBootsPortInUseReport() throws IOException {
    try (ServerSocket taken = new ServerSocket(0)) {
      assertThatThrownBy(() -> check(new ServletWebServerApplicationContext(), taken.getLocalPort()))
          .isInstanceOfSatisfying(PortInUseException.class,
              inUse -> assertThat(inUse.getPort()).isEqualTo(taken.getLocalPort()));
    }
  }

  @Test
  void aFreePortPassesAndIsFreeAgainForTheServer() throws IOException {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }

    assertThatCode(() -> check(new ServletWebServerApplicationContext(), port)).doesNotThrowAnyException();
    try (ServerSocket server = new ServerSocket()) {
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(port));
    }
  }

  @Test
  void aRandomPortOrAContextWithoutAWebServerIsNotTried() throws IOException {
    try (ServerSocket taken = new ServerSocket(0)) {
      assertThatCode(() -> check(new ServletWebServerApplicationContext(), 0)).doesNotThrowAnyException();
      // a test's mock environment: a web application, but no server binds anything
      assertThatCode(() -> check(new GenericApplicationContext(), taken.getLocalPort())).doesNotThrowAnyException();
    }
  }

  private static void check(ConfigurableApplicationContext context, int port) {
    context.getEnvironment().getPropertySources()
        .addFirst(new MapPropertySource("test", Map.of("server.port", port)));
    new EarlyPortCheck().initialize(context);
  }
}
