package dev.authoraization.credential.githubapp;

import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.credential.Credential;
import dev.authoraization.credential.CredentialRequest;
import dev.authoraization.credential.CredentialVault;
import dev.authoraization.tool.github.GitHubClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Per-call GitHub App installation tokens, each limited to the one repository and the exact
 * permissions of the one tool (architecture invariant 10). See
 * <a href="https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app">Create
 * an installation access token</a> and docs/adr/0005-github-client.md.
 *
 * <p>Read-only tokens are cached per (installation, repository, permissions) until five minutes
 * before they expire. A token that can write, and any single-use (destructive) request, is minted
 * fresh and revoked ({@code DELETE /installation/token}) when the credential is closed.
 */
public class GitHubAppVault implements CredentialVault {

  static final Duration REFRESH_MARGIN = Duration.ofMinutes(5);
  private static final String ALL = "*";
  /** Owner and repository names go into URL paths: only GitHub's name characters pass. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");
  private static final Logger log = LoggerFactory.getLogger(GitHubAppVault.class);

  private final GitHubClient github;
  private final AppJwt jwt;
  private final Optional<Long> configuredInstallation;
  private final Clock clock;
  private final ConcurrentMap<String, Long> installations = new ConcurrentHashMap<>();
  private final ConcurrentMap<TokenKey, Minted> tokens = new ConcurrentHashMap<>();

  record TokenKey(long installation, String repository, Map<String, String> permissions) {}

  private record Minted(String token, Instant expiresAt) {}

  /**
   * @param installationId the installation for calls that name no repository, when the App has
   *     several; when empty and the App has exactly one installation, that one
   */
  public GitHubAppVault(GitHubClient github, String appId, AppKeySource keys, Optional<Long> installationId, Clock clock) {
    this.github = github;
    this.jwt = new AppJwt(appId, keys, clock);
    this.configuredInstallation = installationId;
    this.clock = clock;
  }

  @Override
  public boolean supports(String kind) {
    return "github".equals(kind);
  }

  @Override
  public Credential issue(CredentialRequest request) {
    if (!supports(request.need().kind())) {
      throw new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE,
          "The GitHub App vault cannot issue a " + request.need().kind() + " credential.");
    }
    Map<String, String> permissions = new TreeMap<>(request.need().permissions());
    if (permissions.isEmpty()) {
      throw new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE, "A GitHub token needs at least one permission.");
    }
    Optional<String> repository;
    long installation;
    String scope;
    if (request.resource().equals(ALL)) {
      // A token over all of an installation's repositories is only ever minted to read metadata.
      if (!permissions.equals(Map.of("metadata", "read"))) {
        throw new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE,
            "The GitHub App vault mints a token without a repository only for metadata:read, not " + describe(permissions) + ".");
      }
      repository = Optional.empty();
      installation = defaultInstallation();
      scope = "all repositories of installation " + installation;
    } else {
      String[] parts = request.resource().split("/", -1);
      if (parts.length != 2 || !NAME.matcher(parts[0]).matches() || !NAME.matcher(parts[1]).matches()
          || parts[1].equals(".") || parts[1].equals("..") || parts[0].startsWith(".")) {
        throw new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE,
            "A GitHub App token is narrowed to one owner/repo, not '" + request.resource() + "'.");
      }
      repository = Optional.of(parts[1]);
      installation = installationFor(parts[0], parts[1]);
      scope = "repo " + request.resource();
    }
    // Only read-only tokens are cached; a token that can write is minted for its one call and
    // revoked when the call is done, whether or not the call is destructive.
    boolean singleUse = request.singleUse() || permissions.containsValue("write");
    String description = "github-app installation token (" + scope + "; " + describe(permissions)
        + (singleUse ? "; single use" : "") + ")";
    TokenKey key = new TokenKey(installation, repository.map(r -> r.toLowerCase(Locale.ROOT)).orElse(ALL), Map.copyOf(permissions));
    Instant now = clock.instant();
    if (!singleUse) {
      Minted cached = tokens.get(key);
      if (cached != null && now.isBefore(cached.expiresAt().minus(REFRESH_MARGIN))) {
        return new Credential(cached.token(), description, false, cached.expiresAt(), () -> {});
      }
    }
    Minted minted = mint(installation, repository, permissions);
    if (singleUse) {
      return new Credential(minted.token(), description, false, minted.expiresAt(),
          () -> revoke(minted, description));
    }
    tokens.values().removeIf(old -> !now.isBefore(old.expiresAt().minus(REFRESH_MARGIN)));
    tokens.put(key, minted);
    return new Credential(minted.token(), description, false, minted.expiresAt(), () -> {});
  }

  static String describe(Map<String, String> permissions) {
    return new TreeMap<>(permissions).entrySet().stream()
        .map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(", "));
  }

  /** {@code GET /repos/{owner}/{repo}/installation}, cached: an installation rarely moves. */
  private long installationFor(String owner, String repo) {
    String key = (owner + "/" + repo).toLowerCase(Locale.ROOT);
    Long known = installations.get(key);
    if (known != null) {
      return known;
    }
    JsonNode found;
    try {
      found = github.get("/repos/" + owner + "/" + repo + "/installation", Map.of(), jwt.sign()).body();
    } catch (GatewayException e) {
      throw unavailable(e, e.code() == ErrorCode.NOT_FOUND
          ? "The GitHub App is not installed on " + owner + "/" + repo + " (or the repository does not exist)."
          : "GitHub did not say which installation of the App covers " + owner + "/" + repo + ".");
    }
    long id = found.path("id").asLong(0);
    if (id <= 0) {
      throw new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE, "GitHub answered an installation without an id.");
    }
    installations.put(key, id);
    return id;
  }

  private long defaultInstallation() {
    if (configuredInstallation.isPresent()) {
      return configuredInstallation.get();
    }
    Long known = installations.get(ALL);
    if (known != null) {
      return known;
    }
    JsonNode all;
    try {
      all = github.get("/app/installations", Map.of("per_page", "2"), jwt.sign()).body();
    } catch (GatewayException e) {
      throw unavailable(e, "GitHub did not list the App's installations.");
    }
    if (all.size() != 1) {
      throw new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE, "The GitHub App has " + (all.size() == 0 ? "no" : "several")
          + " installations; set engine.github.app.installation-id to the one whose repositories the engine lists.");
    }
    long id = all.get(0).path("id").asLong();
    installations.put(ALL, id);
    return id;
  }

  /** {@code POST /app/installations/{id}/access_tokens} with exactly the repository and permissions. */
  private Minted mint(long installation, Optional<String> repository, Map<String, String> permissions) {
    ObjectNode body = github.json().createObjectNode();
    repository.ifPresent(repo -> body.putArray("repositories").add(repo));
    ObjectNode wanted = body.putObject("permissions");
    permissions.forEach(wanted::put);
    JsonNode answer;
    try {
      answer = github.post("/app/installations/" + installation + "/access_tokens", body, jwt.sign()).body();
    } catch (GatewayException e) {
      if (e.code() == ErrorCode.NOT_FOUND) {
        installations.values().removeIf(id -> id == installation);
      }
      throw unavailable(e, e.code() == ErrorCode.INVALID_ARGUMENTS
          ? "The App's installation does not grant " + describe(permissions) + repository.map(r -> " on " + r).orElse("") + "."
          : "GitHub did not issue an installation token.");
    }
    String token = answer.path("token").asString("");
    Instant expiresAt;
    try {
      expiresAt = Instant.parse(answer.path("expires_at").asString(""));
    } catch (DateTimeParseException e) {
      throw new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE, "GitHub issued a token without a valid expiry.");
    }
    if (token.isEmpty()) {
      throw new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE, "GitHub issued an empty installation token.");
    }
    Minted minted = new Minted(token, expiresAt);
    Optional<String> wider = wider(answer.path("permissions"), permissions);
    if (wider.isPresent()) {
      // Fail closed: a token wider than asked for is not used, and is revoked at once.
      revoke(minted, "unexpectedly wide token");
      throw new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE,
          "GitHub issued a token wider than asked for (" + wider.get() + "); it was revoked and not used.");
    }
    return minted;
  }

  /** A granted permission beyond what was asked (metadata:read is implied by every token). */
  private static Optional<String> wider(JsonNode granted, Map<String, String> asked) {
    for (Map.Entry<String, JsonNode> entry : granted.properties()) {
      String name = entry.getKey();
      String level = entry.getValue().asString("");
      String want = asked.get(name);
      if (name.equals("metadata") && level.equals("read")) {
        continue;
      }
      if (want == null || (level.equals("write") && !want.equals("write")) || !(level.equals("read") || level.equals("write"))) {
        return Optional.of(name + ":" + level);
      }
    }
    return Optional.empty();
  }

  private void revoke(Minted minted, String description) {
    try {
      github.delete("/installation/token", minted.token());
    } catch (GatewayException e) {
      log.warn("Could not revoke the {}; it expires by itself at {}: {}", description, minted.expiresAt(), e.getMessage());
    }
  }

  private static GatewayException unavailable(GatewayException cause, String message) {
    if (cause.code() == ErrorCode.RATE_LIMITED) {
      return cause;
    }
    if (cause.code() == ErrorCode.DEPENDENCY_UNAVAILABLE) {
      // GitHub's token endpoint is the vault here: say which stage failed, keep when to retry
      Map<String, String> details = new java.util.HashMap<>(cause.details());
      details.put("dependency", "vault");
      details.put("backend", "github");
      return new GatewayException(ErrorCode.DEPENDENCY_UNAVAILABLE, "vault unavailable: " + message + " " + cause.getMessage(),
          details, cause);
    }
    return new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE, message + " " + cause.getMessage(), cause.details(), cause);
  }
}
