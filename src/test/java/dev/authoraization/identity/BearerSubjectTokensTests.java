package dev.authoraization.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.call.Caller;
import dev.authoraization.support.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;

class BearerSubjectTokensTests {

  private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
  private final BearerSubjectTokens tokens = new BearerSubjectTokens(Clock.fixed(NOW, ZoneOffset.UTC));

  private static CallerAuthentication verified(String token, String issuer, String subject, Instant expiresAt) {
    Jwt jwt = Jwt.withTokenValue(token).header("alg", "RS256").issuer(issuer).subject(subject)
        .issuedAt(expiresAt.minusSeconds(300)).expiresAt(expiresAt).build();
    return new CallerAuthentication(jwt, Caller.of(subject, issuer, Set.of()));
  }

  @AfterEach
  void clear() {
    SecurityContextHolder.clearContext();
  }

  @Test
  void tokenOfTheRequestOnThisThreadIsHandedOutForItsOwnCallerOnly() {
    SecurityContextHolder.getContext().setAuthentication(verified("alice-token", "https://a.example/", "alice", NOW.plusSeconds(60)));

    assertThat(tokens.of(Caller.of("alice", "https://a.example/", Set.of()))).contains("alice-token");
    assertThat(tokens.of(Caller.of("bob", "https://a.example/", Set.of()))).isEmpty();
    assertThat(tokens.of(Caller.of("alice", "https://other.example/", Set.of()))).as("same subject, other issuer")
        .isEmpty();
  }

  @Test
  void rememberedTokenIsFoundFromAnotherThreadUntilItExpires() {
    tokens.remember(verified("alice-token", "https://a.example/", "alice", NOW.plusSeconds(60)));
    tokens.remember(verified("old-bob", "https://a.example/", "bob", NOW.minusSeconds(1)));

    Optional<String> elsewhere = CompletableFuture
        .supplyAsync(() -> tokens.of(Caller.of("alice", "https://a.example/", Set.of()))).join();

    assertThat(elsewhere).contains("alice-token");
    assertThat(tokens.of(Caller.of("bob", "https://a.example/", Set.of()))).as("expired").isEmpty();
    assertThat(tokens.toString()).doesNotContain("alice-token");
  }

  @Test
  void expiredTokensAreNeverHandedOutAndAreDroppedFromMemoryAtTheNextSweepNotOnEveryRequest() {
    MutableClock clock = new MutableClock(NOW);
    BearerSubjectTokens held = new BearerSubjectTokens(clock);
    held.remember(verified("alice-token", "https://a.example/", "alice", NOW.plusSeconds(10)));
    clock.advance(Duration.ofSeconds(20));

    held.remember(verified("bob-token", "https://a.example/", "bob", NOW.plusSeconds(300)));

    assertThat(held.of(Caller.of("alice", "https://a.example/", Set.of()))).as("expired").isEmpty();
    assertThat(held.toString()).as("not swept on every request").isEqualTo("BearerSubjectTokens[2 callers]");
    clock.advance(Duration.ofSeconds(41));
    held.remember(verified("carol-token", "https://a.example/", "carol", NOW.plusSeconds(300)));
    assertThat(held.toString()).as("swept a minute after the last sweep").isEqualTo("BearerSubjectTokens[2 callers]");
    assertThat(held.of(Caller.of("bob", "https://a.example/", Set.of()))).contains("bob-token");
  }
}
