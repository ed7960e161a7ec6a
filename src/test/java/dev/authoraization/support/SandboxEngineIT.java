package dev.authoraization.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the REST-door tests on the embedded defaults: the shipped policy, the sandbox forge
 * reached through the production GitHub client with the sandbox App's installation tokens. The
 * forge is served by the engine itself, so the port is chosen before the context starts; every
 * subclass shares it and so shares one Spring context. A subclass that changes what the engine
 * holds (a vault entry, say) puts it back when it is done.
 */
public abstract class SandboxEngineIT extends EngineIT {

  protected static final int PORT = freePort();

  @DynamicPropertySource
  static void embeddedDefaults(DynamicPropertyRegistry registry) {
    registry.add("server.port", () -> PORT);
    registry.add("engine.policy.path", () -> "");
    registry.add("engine.github.credentials", () -> "app");
    registry.add("engine.github.token", () -> "");
    registry.add("engine.github.api-url", () -> "http://localhost:" + PORT + "/sandbox/github");
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
