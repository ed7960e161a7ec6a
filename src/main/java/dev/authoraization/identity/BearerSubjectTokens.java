package dev.authoraization.identity;

import dev.authoraization.call.Caller;
import dev.authoraization.credential.HeldToken;
import dev.authoraization.credential.SubjectTokens;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The caller's verified bearer token, for a federated vault to exchange. It is handed out only for
 * the very caller it stands for (same issuer and subject), so one user's token is never exchanged
 * for another user's credential.
 *
 * <p>As a servlet filter (after the security chain) it also remembers, per caller, the last bearer
 * token the doors verified, until that token's own {@code exp}: MCP tool calls, agent runs and
 * approved calls run on other threads than the request that carried the token, and would
 * otherwise find none. Nothing is handed out after the token's expiry (an expired one is dropped
 * from memory within a minute), and nothing is written anywhere.
 */
public final class BearerSubjectTokens extends OncePerRequestFilter implements SubjectTokens {

  private static final Duration SWEEP_EVERY = Duration.ofMinutes(1);

  private final Map<String, HeldToken> recent = new ConcurrentHashMap<>();
  private final AtomicReference<Instant> nextSweep = new AtomicReference<>(Instant.MIN);
  private final Clock clock;

  public BearerSubjectTokens() {
    this(Clock.systemUTC());
  }

  public BearerSubjectTokens(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Optional<String> of(Caller caller) {
    Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
    if (authentication instanceof CallerAuthentication verified
        && verified.caller().principal().equals(caller.principal())) {
      return Optional.of(verified.getToken().getTokenValue());
    }
    HeldToken remembered = recent.get(caller.principal());
    return remembered != null && clock.instant().isBefore(remembered.expiresAt())
        ? Optional.of(remembered.token()) : Optional.empty();
  }

  /** Remembers a token the door verified, replacing the caller's earlier one. */
  public void remember(CallerAuthentication verified) {
    Jwt jwt = verified.getToken();
    if (jwt.getExpiresAt() == null) {
      return;
    }
    Instant now = clock.instant();
    Instant due = nextSweep.get();
    // expired tokens are never handed out (see of); they are dropped from memory once a minute,
    // not on every request, which would walk every caller's entry each time
    if (!now.isBefore(due) && nextSweep.compareAndSet(due, now.plus(SWEEP_EVERY))) {
      recent.values().removeIf(entry -> !now.isBefore(entry.expiresAt()));
    }
    recent.put(verified.caller().principal(), new HeldToken(jwt.getTokenValue(), jwt.getExpiresAt()));
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (SecurityContextHolder.getContext().getAuthentication() instanceof CallerAuthentication verified) {
      remember(verified);
    }
    chain.doFilter(request, response);
  }

  @Override
  public String toString() {
    return "BearerSubjectTokens[" + recent.size() + " callers]";
  }
}
