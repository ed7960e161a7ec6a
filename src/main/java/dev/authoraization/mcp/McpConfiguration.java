package dev.authoraization.mcp;

import dev.authoraization.call.Caller;
import dev.authoraization.identity.CallerAuthentication;
import dev.authoraization.identity.TrustedIssuers;
import dev.authoraization.web.RequestBodyLimit;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.DefaultServerTransportSecurityValidator;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wires the MCP door: the official MCP Java SDK's Streamable HTTP servlet at {@value #ENDPOINT}
 * (<a href="https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#streamable-http">MCP
 * transports</a>), a synchronous MCP server with the tools of {@link McpTools}, and the security
 * chain that makes the endpoint a bearer-only protected resource checked by the same
 * {@link TrustedIssuers} as the REST door. The client's token is only verified here; it is never
 * passed on: tools run with credentials the engine issues per call.
 */
@Configuration(proxyBeanMethods = false)
class McpConfiguration {

  static final String ENDPOINT = "/mcp";

  /** MCP field names are camelCase: not the REST door's snake_case mapper. */
  private static final McpJsonMapper MCP_JSON = new JacksonMcpJsonMapper(JsonMapper.builder().build());

  @Bean
  HttpServletStreamableServerTransportProvider mcpTransport(McpProperties properties) {
    return HttpServletStreamableServerTransportProvider.builder()
        .jsonMapper(MCP_JSON)
        .mcpEndpoint(ENDPOINT)
        .contextExtractor(McpConfiguration::callerOf)
        .securityValidator(DefaultServerTransportSecurityValidator.builder()
            .allowedOrigins(properties.allowedOrigins()).build())
        .build();
  }

  @Bean
  ServletRegistrationBean<HttpServletStreamableServerTransportProvider> mcpServlet(
      HttpServletStreamableServerTransportProvider transport) {
    ServletRegistrationBean<HttpServletStreamableServerTransportProvider> registration =
        new ServletRegistrationBean<>(transport, ENDPOINT);
    registration.setName("mcp");
    registration.setAsyncSupported(true);
    return registration;
  }

  /** In front of the SDK's servlet, after Spring Security: see {@link TransportGuard}. */
  @Bean
  FilterRegistrationBean<TransportGuard> mcpTransportGuard(RequestBodyLimit limit, JsonMapper json,
      InFlightCalls calls, SharedSessions sessions) {
    var registration = new FilterRegistrationBean<>(new TransportGuard(limit, json, MCP_JSON, calls, sessions));
    registration.addUrlPatterns(ENDPOINT);
    registration.setOrder(Ordered.LOWEST_PRECEDENCE);
    return registration;
  }

  @Bean(destroyMethod = "closeGracefully")
  McpSyncServer mcpServer(HttpServletStreamableServerTransportProvider transport, McpTools tools) {
    return McpServer.sync(transport)
        .serverInfo("authoraization-engine", version())
        .instructions("Every tool call is checked against policy; destructive calls may wait for a human approval. "
            + "When a call answers status \"pending\", call " + McpTools.STATUS_TOOL + " with its approval_id.")
        .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
        // Run handlers on the request's own (virtual) thread: an approval wait blocks only that.
        .immediateExecution(true)
        .tools(tools.specifications())
        .addToolFilter(tools::visible)
        .build();
  }

  /**
   * Bearer tokens only, no session, no cookie: nothing ambient for a cross-site request to use,
   * hence no CSRF token. The metadata document is public, as RFC 9728 requires.
   */
  @Bean
  @Order(20)
  SecurityFilterChain mcpSecurity(HttpSecurity http, TrustedIssuers issuers, ProtectedResource resource)
      throws Exception {
    http.securityMatcher(ENDPOINT, ENDPOINT + "/**", ProtectedResource.METADATA_PATH,
            ProtectedResource.METADATA_PATH + "/**")
        .authorizeHttpRequests(requests -> requests
            .requestMatchers(ProtectedResource.METADATA_PATH, ProtectedResource.METADATA_PATH + "/**").permitAll()
            .anyRequest().authenticated())
        .oauth2ResourceServer(server -> server
            .authenticationManagerResolver(issuers.resolver())
            .authenticationEntryPoint(resource)
            .protectedResourceMetadata(metadata -> metadata.protectedResourceMetadataCustomizer(resource::customize)))
        .exceptionHandling(errors -> errors.authenticationEntryPoint(resource))
        .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .csrf(csrf -> csrf.disable())
        .requestCache(cache -> cache.disable());
    return http.build();
  }

  /** The verified caller of this HTTP request, read per request: an MCP session id is not an identity. */
  private static McpTransportContext callerOf(HttpServletRequest request) {
    if (request.getUserPrincipal() instanceof CallerAuthentication authentication) {
      Caller caller = authentication.caller();
      return McpTransportContext.create(request.getAttribute(InFlightCalls.KEY) instanceof InFlightCalls.Key call
          ? Map.of(McpTools.CALLER, caller, InFlightCalls.KEY, call) : Map.of(McpTools.CALLER, caller));
    }
    return McpTransportContext.EMPTY;
  }

  private static String version() {
    String version = McpConfiguration.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }
}
