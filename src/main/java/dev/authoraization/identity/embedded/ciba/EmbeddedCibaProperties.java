package dev.authoraization.identity.embedded.ciba;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The embedded provider's CIBA endpoint ({@code engine.identity.embedded.ciba.*}).
 *
 * @param expiresIn how long an approver has to answer ({@code expires_in}); a client's
 *     {@code requested_expiry} may only shorten it
 * @param interval the least time between two polls of one {@code auth_req_id} while it is
 *     pending; a faster poll gets {@code slow_down}
 */
@ConfigurationProperties("engine.identity.embedded.ciba")
public record EmbeddedCibaProperties(@Nullable Duration expiresIn, @Nullable Duration interval) {

  public EmbeddedCibaProperties {
    expiresIn = expiresIn == null ? Duration.ofMinutes(15) : expiresIn;
    interval = interval == null ? Duration.ofSeconds(5) : interval;
    if (expiresIn.toSeconds() < 1 || interval.isNegative()) {
      throw new IllegalArgumentException(
          "engine.identity.embedded.ciba.expires-in must be at least 1 s and interval must not be negative");
    }
  }

  public Duration expiresIn() {
    return expiresIn == null ? Duration.ofMinutes(15) : expiresIn;
  }

  public Duration interval() {
    return interval == null ? Duration.ofSeconds(5) : interval;
  }
}
