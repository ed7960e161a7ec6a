package dev.authoraization.web;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.convert.ConversionException;
import org.springframework.core.env.Environment;

/**
 * Finds the port already taken before the start does anything else. Jetty binds its port last, after
 * the schema is migrated, keys are made and a first start's demo credentials are printed: a first
 * start beside another server on 8080 printed the credentials and then failed, ten seconds later, and
 * the next start, on another port, printed none (they are made once). The port is tried here, before
 * any bean exists, and a port in use fails the start with Spring Boot's own report for it. Only for a
 * context that starts a web server on a fixed port: not for port 0, nor for a test's mock environment.
 * Another process can still take the port between this check and Jetty's bind; Jetty then reports it
 * as before.
 */
public final class EarlyPortCheck implements ApplicationContextInitializer<ConfigurableApplicationContext> {

  @Override
  public void initialize(ConfigurableApplicationContext context) {
    if (!(context instanceof WebServerApplicationContext)) {
      return;
    }
    Environment environment = context.getEnvironment();
    int port;
    try {
      port = environment.getProperty("server.port", Integer.class, 8080);
    } catch (ConversionException notANumber) {
      return; // the web server's binding reports it
    }
    if (port <= 0) {
      return;
    }
    String address = environment.getProperty("server.address");
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true); // as Jetty binds
      probe.bind(address == null ? new InetSocketAddress(port)
          : new InetSocketAddress(InetAddress.getByName(address), port));
    } catch (BindException inUse) {
      throw new PortInUseException(port, inUse);
    } catch (IOException other) {
      // anything else (an address this host does not have) is the web server's to report, as before
    }
  }
}
