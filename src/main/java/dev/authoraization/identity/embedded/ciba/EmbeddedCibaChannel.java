package dev.authoraization.identity.embedded.ciba;

import dev.authoraization.approval.Approvals;
import dev.authoraization.approval.ciba.CibaApprovalChannel;
import dev.authoraization.approval.ciba.CibaEndpoints;
import dev.authoraization.approval.ciba.CibaProperties;
import dev.authoraization.identity.embedded.EmbeddedIdentityProperties;
import dev.authoraization.identity.embedded.EmbeddedOpenIdProvider;
import dev.authoraization.identity.embedded.EmbeddedUsers;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;

/**
 * The embedded default of approvals: the engine's own {@link CibaApprovalChannel} (the code that
 * talks to Keycloak or Auth0) asks the embedded provider's CIBA endpoint, as client
 * {@value #CLIENT} in ping mode, every enabled user holding an approver role of the request. The
 * approver answers on the approver device with a passkey; the ping wakes the channel, which counts
 * the answer only after verifying the ID token. On with {@code engine.approvals.ciba.embedded=true}
 * (application.yml) unless an external CIBA provider is configured.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "engine.identity.embedded.enabled", matchIfMissing = true)
public class EmbeddedCibaChannel {

  public static final String CLIENT = "engine-ciba";
  static final String SECRET_FILE = "ciba-client-secret";

  @Bean
  @ConditionalOnBooleanProperty(name = "engine.approvals.ciba.embedded")
  @ConditionalOnProperty(prefix = "engine.approvals.ciba", name = "enabled", havingValue = "false", matchIfMissing = true)
  CibaApprovalChannel embeddedCibaApprovalChannel(EmbeddedIdentityProperties identity, RegisteredClientRepository clients,
      EmbeddedUsers users, ObjectProvider<Approvals> approvals, Clock clock, MeterRegistry meters) {
    String secret = secret(identity.keyDir());
    register(clients, identity.issuer(), secret);
    CibaProperties properties = new CibaProperties(true, identity.issuer(), "", "", "", CLIENT, secret,
        CibaProperties.Provider.GENERIC, Map.of(), "roles", true, Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(5), List.of("RS256")).ping(identity.issuer());
    return CibaApprovalChannel.create(properties, approvals::getObject, clock,
            outcome -> meters.counter("engine.approval.ciba.outcomes",
                "kind", outcome.kind().name().toLowerCase(Locale.ROOT)).increment())
        .approvers(directory(users)).ping(true);
  }

  /** The provider's users are the approvers: everyone enabled with one of the request's roles. */
  static CibaApprovalChannel.ApproverDirectory directory(EmbeddedUsers users) {
    return new CibaApprovalChannel.ApproverDirectory() {
      @Override
      public Set<String> hintsFor(Set<String> roles) {
        return new TreeSet<>(users.withAnyRole(roles));
      }

      @Override
      public Set<String> rolesOf(String hint, Set<String> roles) {
        Set<String> held = new TreeSet<>(users.roles(hint).orElse(List.of()));
        held.retainAll(roles);
        return held;
      }
    };
  }

  /**
   * Registers (or re-keys) the engine as a ping-mode CIBA client of its own provider. The secret is
   * 256 random bits, so a cheap bcrypt cost is enough, and each poll stays fast
   * ({@link EmbeddedOpenIdProvider#clientSecrets()}).
   */
  static void register(RegisteredClientRepository clients, String issuer, String secret) {
    RegisteredClient existing = clients.findByClientId(CLIENT);
    String id = existing == null ? UUID.randomUUID().toString() : existing.getId();
    clients.save(RegisteredClient.withId(id).clientId(CLIENT)
        .clientSecret(EmbeddedOpenIdProvider.clientSecrets().encode(secret))
        .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
        .authorizationGrantType(CibaGrant.TYPE).scope("openid")
        .clientSettings(ClientSettings.builder()
            .setting(EmbeddedCibaConfiguration.DELIVERY_MODE, "ping")
            .setting(EmbeddedCibaConfiguration.NOTIFICATION_ENDPOINT, issuer + CibaEndpoints.NOTIFICATION_PATH)
            .build())
        .build());
  }

  /** The client secret, kept owner-only beside the signing key; several nodes share it through that folder. */
  static String secret(Path keyDir) {
    Path file = keyDir.resolve(SECRET_FILE);
    try {
      Files.createDirectories(keyDir);
      if (!Files.exists(file)) {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        try {
          Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
          Files.createFile(file);
        } catch (FileAlreadyExistsException raced) {
          return Files.readString(file, StandardCharsets.US_ASCII).strip();
        }
        Files.writeString(file, Base64.getUrlEncoder().withoutPadding().encodeToString(random), StandardCharsets.US_ASCII);
      }
      return Files.readString(file, StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot keep the embedded CIBA client secret in " + keyDir
          + "; make engine.identity.embedded.key-dir writable", e);
    }
  }
}
