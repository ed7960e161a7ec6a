package dev.authoraization;

import java.net.URI;
import java.net.URISyntaxException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code engine.public-url}, checked once at start: the built-in provider's issuer, its sign-in
 * redirect, the passkey origin and the approver link are this text with a path appended (see
 * application.yml), so a trailing slash or a path would give addresses no browser or device can
 * use, e.g. a passkey origin that never matches the page's.
 *
 * @param publicUrl scheme, host and port where browsers and approvers' devices reach the engine
 */
@ConfigurationProperties("engine")
public record PublicUrl(@Nullable String publicUrl) {

  public PublicUrl {
    if (publicUrl != null && !isOrigin(publicUrl)) {
      throw new IllegalArgumentException("engine.public-url must be a scheme, host and optional port only, "
          + "e.g. https://engine.example.com (no path, no trailing slash); was " + publicUrl);
    }
  }

  private static boolean isOrigin(String url) {
    try {
      URI uri = new URI(url);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
          && uri.getRawPath().isEmpty() && uri.getRawQuery() == null && uri.getRawFragment() == null
          && uri.getRawUserInfo() == null;
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
