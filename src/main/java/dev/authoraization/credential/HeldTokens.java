package dev.authoraization.credential;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The tokens a federated vault (Auth0, Keycloak) holds per caller: each is fetched from the
 * upstream when missing or within {@code margin} of expiring, and reused until then, so an
 * approved call never starts with a token about to lapse.
 */
public final class HeldTokens {

  private final Map<String, HeldToken> held = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Duration margin;

  public HeldTokens(Clock clock, Duration margin) {
    this.clock = clock;
    this.margin = margin;
  }

  /** The token held for {@code key}, or a new one from {@code fetch} when there is none fresh. */
  public HeldToken get(String key, Supplier<HeldToken> fetch) {
    HeldToken token = held.get(key);
    if (token == null || !token.freshAt(clock.instant(), margin)) {
      token = fetch.get();
      held.put(key, token);
    }
    return token;
  }

  /**
   * The HTTP client a federated vault reaches its upstream with: bounded connects, and no
   * redirects followed, so a redirect cannot carry the caller's token to another host.
   */
  public static HttpClient httpClient(Duration connectTimeout) {
    return HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER).build();
  }
}
