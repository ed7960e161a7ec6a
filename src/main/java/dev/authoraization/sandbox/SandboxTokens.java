package dev.authoraization.sandbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Installation access tokens of the sandbox App: minted scoped to repositories and permissions,
 * valid for one hour, revocable. Only a SHA-256 hash of each token is kept, in memory: a restart
 * revokes them all, which is what a sandbox wants.
 *
 * @see <a href="https://docs.github.com/en/rest/apps/apps#create-an-installation-access-token-for-an-app">Create an installation access token</a>
 */
final class SandboxTokens {

  static final Duration LIFETIME = Duration.ofHours(1);

  /** What the sandbox App's installation may do; tokens are narrowed from this. */
  static final Map<String, String> INSTALLATION_PERMISSIONS = Map.of(
      "metadata", "read",
      "contents", "write",
      "issues", "write",
      "pull_requests", "write",
      "statuses", "write");

  /**
   * What one token may do. {@code repositoryIds} empty with {@code allRepositories} false never
   * happens: a token either names its repositories or covers the whole installation.
   */
  record Grant(boolean personal, boolean allRepositories, Set<Long> repositoryIds,
      Map<String, String> permissions, Instant expiresAt) {

    static Grant personalToken() {
      return new Grant(true, true, Set.of(), Map.of(), Instant.MAX);
    }

    boolean covers(long repositoryId) {
      return allRepositories || repositoryIds.contains(repositoryId);
    }

    /** Write implies read, as on GitHub. A personal token of the sandbox owner may do anything. */
    boolean allows(String permission, String level) {
      if (personal) {
        return true;
      }
      String granted = permissions.get(permission);
      return granted != null && (granted.equals("write") || granted.equals(level));
    }
  }

  private final Map<String, Grant> byHash = new ConcurrentHashMap<>();
  private final Clock clock;

  SandboxTokens(Clock clock) {
    this.clock = clock;
  }

  record Minted(String token, Grant grant) {}

  Minted mint(boolean allRepositories, Set<Long> repositoryIds, Map<String, String> permissions) {
    Map<String, String> effective = new LinkedHashMap<>(permissions);
    // GitHub always adds metadata:read; every App token can read repository metadata.
    effective.putIfAbsent("metadata", "read");
    Instant expires = clock.instant().plus(LIFETIME).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    Grant grant = new Grant(false, allRepositories, Set.copyOf(repositoryIds), Map.copyOf(effective), expires);
    String token = SandboxApp.randomToken("ghs_", 40);
    byHash.put(hash(token), grant);
    return new Minted(token, grant);
  }

  /** The live grant of an installation token; empty if unknown, revoked or expired. */
  Optional<Grant> lookup(String token) {
    String key = hash(token);
    Grant grant = byHash.get(key);
    if (grant == null) {
      return Optional.empty();
    }
    if (!grant.expiresAt().isAfter(clock.instant())) {
      byHash.remove(key);
      return Optional.empty();
    }
    return Optional.of(grant);
  }

  void revoke(String token) {
    byHash.remove(hash(token));
  }

  private static String hash(String token) {
    return HexFormat.of().formatHex(SandboxApp.sha256(token));
  }
}
