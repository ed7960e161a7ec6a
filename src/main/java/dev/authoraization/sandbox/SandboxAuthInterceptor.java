package dev.authoraization.sandbox;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import java.util.Optional;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;

/**
 * The one place where sandbox requests are authenticated and authorized, as GitHub does it:
 * {@code Authorization: Bearer|token <token>}; 401 {@code Bad credentials} for an unknown,
 * revoked or expired token; 404 for an unknown repository; 403 {@code Resource not accessible by
 * integration} when the token does not cover the repository or lacks the permission.
 */
final class SandboxAuthInterceptor implements HandlerInterceptor {

  static final String GRANT = SandboxAuthInterceptor.class.getName() + ".grant";
  static final String TOKEN = SandboxAuthInterceptor.class.getName() + ".token";
  static final String REPO = SandboxAuthInterceptor.class.getName() + ".repo";

  private final SandboxApp app;
  private final SandboxTokens tokens;
  private final SandboxStore store;

  SandboxAuthInterceptor(SandboxApp app, SandboxTokens tokens, SandboxStore store) {
    this.app = app;
    this.tokens = tokens;
    this.store = store;
  }

  @Override
  public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
    // GitHub's informational headers, so clients that watch rate limits see a quiet API
    response.setHeader("X-GitHub-Media-Type", "github.v3; format=json");
    response.setHeader("X-RateLimit-Limit", "5000");
    response.setHeader("X-RateLimit-Remaining", "5000");
    response.setHeader("X-RateLimit-Used", "0");
    response.setHeader("X-RateLimit-Reset", String.valueOf(java.time.Instant.now().plusSeconds(3600).getEpochSecond()));
    response.setHeader("X-RateLimit-Resource", "core");
    if (!(handler instanceof HandlerMethod method)) {
      return true;
    }
    SandboxAccess access = method.getMethodAnnotation(SandboxAccess.class);
    if (access == null) {
      return true;
    }
    String token = bearer(request).orElseThrow(
        () -> new SandboxError(401, "Requires authentication"));
    if (access.value() == SandboxAccess.Credential.APP_JWT) {
      app.verifyAppJwt(token);
      return true;
    }
    SandboxTokens.Grant grant = app.isPersonalToken(token)
        ? SandboxTokens.Grant.personalToken()
        : tokens.lookup(token).orElseThrow(SandboxError::badCredentials);
    request.setAttribute(GRANT, grant);
    request.setAttribute(TOKEN, token);
    @SuppressWarnings("unchecked")
    Map<String, String> vars = (Map<String, String>) request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
    if (vars != null && vars.containsKey("owner") && vars.containsKey("repo")) {
      SandboxStore.Repo repo = store.repository(vars.get("owner"), vars.get("repo"))
          .orElseThrow(SandboxError::notFound);
      if (!grant.covers(repo.id())) {
        throw SandboxError.notAccessible();
      }
      boolean allowed = access.anyOf().length == 0;
      for (String permission : access.anyOf()) {
        allowed |= grant.allows(permission, access.level());
      }
      if (!allowed) {
        throw SandboxError.notAccessible();
      }
      request.setAttribute(REPO, repo);
    }
    return true;
  }

  /** GitHub accepts both {@code Bearer} and the older {@code token} scheme. */
  static Optional<String> bearer(HttpServletRequest request) {
    String header = request.getHeader("Authorization");
    if (header == null) {
      return Optional.empty();
    }
    String h = header.strip();
    for (String scheme : new String[] {"Bearer ", "token "}) {
      if (h.regionMatches(true, 0, scheme, 0, scheme.length())) {
        String value = h.substring(scheme.length()).strip();
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
      }
    }
    return Optional.empty();
  }
}
