package dev.authoraization.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.authoraization.call.Caller;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * Bearer tokens that passed every check of their issuer, so that an agent sending the same token
 * on every call pays for its RSA signature once, not per call (ADR 0017). An entry is found only
 * by the exact token text (by its SHA-256, and then compared in constant time), is never kept past
 * the token's own {@code exp} (the clock skew allowed when checking is not extended to the cache)
 * nor longer than its issuer's key cache, and a token that failed a check is never kept. At most
 * {@link #MAX_TOKENS} tokens are kept; beyond that the cache drops the ones least likely to come
 * back, and those are checked again if they do.
 */
final class VerifiedTokens {

  static final int MAX_TOKENS = 5_000;

  private record Verified(Jwt jwt, Caller caller, Instant until) {}

  private final Cache<String, Verified> verified;
  private final Clock clock;

  VerifiedTokens(Clock clock) {
    this.clock = clock;
    this.verified = Caffeine.newBuilder().maximumSize(MAX_TOKENS).expireAfter(Expiry.<String, Verified>creating(
        (digest, entry) -> Duration.between(clock.instant(), entry.until()))).build();
  }

  /** The earlier check of exactly this token, while it still holds: a new authentication each time. */
  Optional<CallerAuthentication> find(String token) {
    Verified entry = verified.getIfPresent(digest(token));
    if (entry == null || !clock.instant().isBefore(entry.until())
        || !MessageDigest.isEqual(bytes(entry.jwt().getTokenValue()), bytes(token))) {
      return Optional.empty();
    }
    return Optional.of(new CallerAuthentication(entry.jwt(), entry.caller()));
  }

  /**
   * Keeps a token that has just passed every check, until {@code exp} or for {@code atMost},
   * whichever ends first; a token without {@code exp} (never accepted) or already past it is not kept.
   */
  void remember(CallerAuthentication authentication, Duration atMost) {
    @Nullable Instant expiresAt = authentication.getToken().getExpiresAt();
    if (expiresAt == null) {
      return;
    }
    Instant now = clock.instant();
    Instant latest = now.plus(atMost);
    Instant until = expiresAt.isBefore(latest) ? expiresAt : latest;
    if (now.isBefore(until)) {
      verified.put(digest(authentication.getToken().getTokenValue()),
          new Verified(authentication.getToken(), authentication.caller(), until));
    }
  }

  private static String digest(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes(token)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }

  private static byte[] bytes(String token) {
    return token.getBytes(StandardCharsets.UTF_8);
  }
}
