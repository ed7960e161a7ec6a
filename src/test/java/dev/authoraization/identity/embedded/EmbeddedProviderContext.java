package dev.authoraization.identity.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * One running engine shared by the identity ITs (same configuration, so Spring caches the
 * context). The issuer must be known before the server starts, so the port is picked here, free,
 * and given to both {@code server.port} and the issuer. Users and the agent secret are set by
 * configuration so that no test depends on which class started the context first.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class EmbeddedProviderContext {

  static final int PORT = freePort();
  static final String ISSUER = "http://localhost:" + PORT;
  static final String ALICE_PASSWORD = "alice-test-password-" + System.nanoTime();
  static final String ADMIN_PASSWORD = "admin-test-password-" + System.nanoTime();
  static final String AGENT_SECRET = "agent-test-secret-" + System.nanoTime();
  static final String REDIRECT_URI = "http://localhost:" + PORT + "/login/oauth2/code/engine";

  @DynamicPropertySource
  static void engine(DynamicPropertyRegistry registry) {
    registry.add("server.port", () -> PORT);
    registry.add("engine.identity.embedded.issuer", () -> ISSUER);
    registry.add("engine.identity.embedded.key-dir", () -> tempDir().toString());
    registry.add("engine.identity.embedded.redirect-uris[0]", () -> REDIRECT_URI);
    registry.add("engine.identity.embedded.users[0].username", () -> "alice");
    registry.add("engine.identity.embedded.users[0].password", () -> ALICE_PASSWORD);
    registry.add("engine.identity.embedded.users[0].roles[0]", () -> "developer");
    registry.add("engine.identity.embedded.users[1].username", () -> "admin");
    registry.add("engine.identity.embedded.users[1].password", () -> ADMIN_PASSWORD);
    registry.add("engine.identity.embedded.users[1].roles[0]", () -> "approver");
    registry.add("engine.identity.embedded.demo-agent-secret", () -> AGENT_SECRET);
    registry.add("spring.datasource.url", () -> "jdbc:h2:mem:identity;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;"
        + "DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1");
    registry.add("spring.datasource.username", () -> "sa");
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path tempDir() {
    try {
      Path dir = Files.createTempDirectory("identity-it");
      dir.toFile().deleteOnExit();
      return dir.resolve("keys");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
