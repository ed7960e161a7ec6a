package dev.authoraization.mcp;

import dev.authoraization.identity.BuiltInIssuer;
import dev.authoraization.identity.IdentityProperties;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.MediaType;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.OAuth2ProtectedResourceMetadata;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import tools.jackson.databind.json.JsonMapper;

/**
 * The MCP door as an OAuth 2.1 protected resource
 * (<a href="https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization">MCP
 * authorization</a>): its metadata document (<a href="https://www.rfc-editor.org/rfc/rfc9728">RFC
 * 9728</a>), public, and the 401 challenge pointing to it (RFC 9728 section 5.1, RFC 6750 section 3),
 * from which a client finds the authorization servers to get a token from.
 */
@Component
public class ProtectedResource implements AuthenticationEntryPoint {

  static final String METADATA_PATH = "/.well-known/oauth-protected-resource";

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final McpProperties properties;
  private final List<String> authorizationServers;

  public ProtectedResource(McpProperties properties, IdentityProperties identity,
      ObjectProvider<BuiltInIssuer> builtIn) {
    this.properties = properties;
    Set<String> issuers = new LinkedHashSet<>();
    identity.issuers().forEach(issuer -> issuers.add(issuer.uri()));
    builtIn.orderedStream().forEach(own -> issuers.add(own.issuer().uri()));
    this.authorizationServers = List.copyOf(issuers);
  }

  /**
   * The metadata document is served by Spring Security's {@code OAuth2ProtectedResourceMetadataFilter}
   * at the root and under the path of the MCP endpoint (RFC 9728 section 3.1); this fills it in.
   */
  void customize(OAuth2ProtectedResourceMetadata.Builder metadata) {
    if (!properties.resource().isEmpty()) {
      metadata.resource(properties.resource());
    }
    metadata.authorizationServers(servers -> {
          servers.clear();
          servers.addAll(authorizationServers);
        })
        .bearerMethods(methods -> {
          methods.clear();
          methods.add("header");
        })
        .resourceName("AuthorAIzation Engine (MCP)");
  }

  /** 401 with the challenge MCP clients look for; {@code error} only when a token was sent and refused. */
  @Override
  public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
      throws IOException {
    String metadata = ServletUriComponentsBuilder.fromContextPath(request).path(METADATA_PATH).toUriString();
    StringBuilder challenge = new StringBuilder("Bearer resource_metadata=\"").append(metadata).append('"');
    String error = "";
    if (e instanceof OAuth2AuthenticationException oauth) {
      error = oauth.getError().getErrorCode();
      challenge.append(", error=\"").append(error).append('"');
    }
    response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
    response.setHeader("WWW-Authenticate", challenge.toString());
    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    Map<String, Object> problem = new LinkedHashMap<>();
    problem.put("type", "urn:authoraization:problem:unauthenticated");
    problem.put("title", "Unauthorized");
    problem.put("status", 401);
    problem.put("detail", error.isEmpty() ? "A bearer token from a trusted issuer is required; see " + metadata + "."
        : "The bearer token was refused (" + error + "); get a new one from a trusted issuer, see " + metadata + ".");
    problem.put("code", "unauthenticated");
    JSON.writeValue(response.getOutputStream(), problem);
  }
}
