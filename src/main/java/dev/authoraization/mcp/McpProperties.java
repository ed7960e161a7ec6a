package dev.authoraization.mcp;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The MCP door ({@code engine.mcp.*}).
 *
 * @param resource this engine's resource identifier in its protected resource metadata: an absolute
 *     URL (RFC 9728 section 2; MCP clients compare it with the URL they connect to). Empty (the
 *     default) means the URL the metadata was requested at: {@code https://host} at the root,
 *     {@code https://host/mcp} under {@code /.well-known/oauth-protected-resource/mcp}. Set it
 *     when the engine runs behind a proxy that does not forward its public host.
 * @param maxWait how long a tool call waits for a human approval before it answers "pending";
 *     below the 60 s most MCP clients give a request
 * @param progressInterval how often a waiting call sends {@code notifications/progress}, for
 *     clients that reset their timeout on progress
 * @param allowedOrigins browser origins allowed to call the MCP endpoint (e.g. the Inspector's web
 *     UI, {@code http://localhost:6274}); a request with any other {@code Origin} header is refused
 *     (MCP transports, security warning: DNS rebinding). Desktop clients send no {@code Origin}.
 */
@ConfigurationProperties(prefix = "engine.mcp")
public record McpProperties(String resource, Duration maxWait, Duration progressInterval,
    List<String> allowedOrigins) {

  public McpProperties {
    resource = resource == null ? "" : resource.strip();
    if (!resource.isEmpty() && !isAbsoluteUrl(resource)) {
      throw new IllegalArgumentException("engine.mcp.resource must be an absolute http(s) URL without a fragment "
          + "(RFC 9728 section 2), such as https://engine.example.com/mcp; it is '" + resource + "'");
    }
    maxWait = maxWait == null ? Duration.ofSeconds(50) : maxWait;
    progressInterval = progressInterval == null ? Duration.ofSeconds(15) : progressInterval;
    allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
    if (maxWait.isNegative() || progressInterval.isNegative() || progressInterval.isZero()) {
      throw new IllegalArgumentException("engine.mcp.max-wait must not be negative and "
          + "engine.mcp.progress-interval must be positive");
    }
  }

  private static boolean isAbsoluteUrl(String value) {
    try {
      URI uri = new URI(value);
      return uri.isAbsolute() && uri.getFragment() == null && uri.getHost() != null
          && (uri.getScheme().equals("https") || uri.getScheme().equals("http"));
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
