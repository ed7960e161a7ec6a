package dev.authoraization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.authoraization.approval.notify.NotificationProperties;
import dev.authoraization.approval.passkey.PasskeyProperties;
import dev.authoraization.identity.embedded.EmbeddedIdentityProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;

/**
 * {@code engine.public-url} in the shipped application.yml: the four addresses a browser or an
 * approver's device is sent to follow the engine's port, or the one public address set behind a
 * proxy. Before it, starting on another port left all four on localhost:8080: sign-in redirected
 * to a port nobody listened on, and the built-in CIBA endpoint was unreachable, so every approval
 * request was withdrawn at once.
 */
class PublicUrlTests {

  @Test
  void withNothingSetEverythingIsOnLocalhost8080() {
    assertThat(Addresses.of(Map.of())).isEqualTo(Addresses.under("http://localhost:8080"));
  }

  @Test
  void anotherPortMovesTheIssuerTheSignInRedirectThePasskeyOriginAndTheApproverLinkWithIt() {
    assertThat(Addresses.of(Map.of("server.port", "9090"))).isEqualTo(Addresses.under("http://localhost:9090"));
  }

  @Test
  void behindAProxyThePublicAddressIsSetOnceForAllFour() {
    assertThat(Addresses.of(Map.of("server.port", "8081", "engine.public-url", "https://engine.example.com")))
        .isEqualTo(Addresses.under("https://engine.example.com"));
  }

  @Test
  void eachAddressSetOnItsOwnStillWins() {
    Addresses a = Addresses.of(Map.of("engine.public-url", "https://engine.example.com",
        "engine.identity.embedded.issuer", "https://login.example.com",
        "engine.approvals.passkey.origins[0]", "https://approve.example.com"));

    assertThat(a.issuer).isEqualTo("https://login.example.com");
    assertThat(a.passkeyOrigin).isEqualTo("https://approve.example.com");
    assertThat(a.redirect).isEqualTo("https://engine.example.com/login/oauth2/code/engine");
  }

  @Test
  void aPublicUrlWithATrailingSlashOrAPathIsRefusedAtStartWithWhatToSet() {
    for (String wrong : java.util.List.of("https://engine.example.com/", "https://engine.example.com/engine",
        "engine.example.com", "ftp://engine.example.com", "https://user@engine.example.com")) {
      assertThatThrownBy(() -> binder(Map.of("engine.public-url", wrong)).bindOrCreate("engine", PublicUrl.class))
          .as(wrong).rootCause().hasMessageContaining("engine.public-url must be a scheme, host and optional port only")
          .hasMessageContaining("was " + wrong);
    }
    assertThat(binder(Map.of("server.port", "9090")).bindOrCreate("engine", PublicUrl.class).publicUrl())
        .isEqualTo("http://localhost:9090");
  }

  static Binder binder(Map<String, String> given) {
    StandardEnvironment environment = new StandardEnvironment();
    environment.getPropertySources().addFirst(new MapPropertySource("given", new LinkedHashMap<>(given)));
    try {
      new YamlPropertySourceLoader().load("application.yml", new ClassPathResource("application.yml"))
          .forEach(environment.getPropertySources()::addLast);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Binder.get(environment);
  }

  /** The four addresses as the engine binds them from application.yml and the given properties. */
  record Addresses(String issuer, String redirect, String passkeyOrigin, String approverUrl) {

    /** The four as they should be for an engine reached at {@code base}. */
    static Addresses under(String base) {
      return new Addresses(base, base + "/login/oauth2/code/engine", base, base + "/approvals/{id}");
    }

    static Addresses of(Map<String, String> given) {
      Binder binder = binder(given);
      EmbeddedIdentityProperties identity =
          binder.bindOrCreate("engine.identity.embedded", EmbeddedIdentityProperties.class);
      PasskeyProperties passkey = binder.bindOrCreate("engine.approvals.passkey", PasskeyProperties.class);
      NotificationProperties notifications = binder.bindOrCreate("engine.notifications", NotificationProperties.class);
      assertThat(identity.redirectUris()).hasSize(1);
      assertThat(passkey.origins()).hasSize(1);
      return new Addresses(identity.issuer(), identity.redirectUris().getFirst(), passkey.origins().getFirst(),
          notifications.approverUrl());
    }
  }
}
