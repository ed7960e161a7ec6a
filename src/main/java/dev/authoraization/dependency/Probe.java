package dev.authoraization.dependency;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.health.contributor.Health;

/**
 * An unauthenticated GET of a public address (a JWKS, a discovery document, an API root), for
 * health. Results are kept for a few seconds so that a busy health endpoint does not hammer a
 * dependency (or spend a rate limit); no credential is ever sent.
 */
final class Probe {

  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private static final Duration KEEP = Duration.ofSeconds(5);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
      .followRedirects(HttpClient.Redirect.NEVER).build();
  private final Clock clock;
  private final Map<URI, Seen> seen = new ConcurrentHashMap<>();

  private record Seen(Instant at, Health health) {}

  Probe(Clock clock) {
    this.clock = clock;
  }

  /** UP when the address answers below 500 (a 404 from an API root is still a live server). */
  Health check(URI target) {
    Instant now = clock.instant();
    Seen last = seen.get(target);
    if (last != null && now.isBefore(last.at().plus(KEEP))) {
      return last.health();
    }
    Health health = fetch(target);
    seen.put(target, new Seen(now, health));
    return health;
  }

  private Health fetch(URI target) {
    long started = System.nanoTime();
    try {
      HttpResponse<Void> response = http.send(HttpRequest.newBuilder(target).timeout(TIMEOUT).GET().build(),
          HttpResponse.BodyHandlers.discarding());
      Health.Builder health = response.statusCode() < 500 ? Health.up() : Health.down();
      return health.withDetail("url", target.toString()).withDetail("status", response.statusCode())
          .withDetail("millis", (System.nanoTime() - started) / 1_000_000).build();
    } catch (HttpTimeoutException e) {
      return Health.down().withDetail("url", target.toString())
          .withDetail("error", "no answer within " + TIMEOUT.toMillis() + " ms").build();
    } catch (IOException e) {
      return Health.down().withDetail("url", target.toString())
          .withDetail("error", "unreachable (" + e.getClass().getSimpleName() + ")").build();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Health.unknown().withDetail("url", target.toString()).build();
    }
  }
}
