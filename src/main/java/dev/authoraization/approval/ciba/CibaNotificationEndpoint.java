package dev.authoraization.approval.ciba;

import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * The client notification endpoint of ping mode (CIBA Core 10.2) at
 * {@value CibaEndpoints#NOTIFICATION_PATH}: the provider POSTs {@code {"auth_req_id": ...}} with
 * the request's {@code client_notification_token} as bearer, and the channel polls at once. The
 * bearer is not a user's token: it is checked against the one sent with that request, and a wrong
 * one gets the same 401 as an unknown request, so the endpoint reveals nothing.
 */
@RestController
class CibaNotificationEndpoint {

  private final ObjectProvider<CibaApprovalChannel> channel;

  CibaNotificationEndpoint(ObjectProvider<CibaApprovalChannel> channel) {
    this.channel = channel;
  }

  @PostMapping(CibaEndpoints.NOTIFICATION_PATH)
  ResponseEntity<Void> notified(@RequestHeader(name = HttpHeaders.AUTHORIZATION, defaultValue = "") String authorization,
      @RequestBody(required = false) Map<String, Object> body) {
    CibaApprovalChannel ciba = channel.getIfAvailable();
    Object id = body == null ? null : body.get("auth_req_id");
    boolean bearer = authorization.regionMatches(true, 0, "Bearer ", 0, 7);
    if (ciba == null || !(id instanceof String authReqId) || !bearer
        || !ciba.notified(authReqId, authorization.substring(7).strip())) {
      return ResponseEntity.status(401).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }
    return ResponseEntity.noContent().build();
  }

  /** The endpoint's own chain: the bearer is checked above, not by the REST door's JWT filter. */
  @Configuration(proxyBeanMethods = false)
  static class Chain {
    @Bean
    @Order(3)
    SecurityFilterChain cibaNotification(HttpSecurity http) throws Exception {
      http.securityMatcher(CibaEndpoints.NOTIFICATION_PATH)
          .authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
          .csrf(csrf -> csrf.disable())
          .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
      return http.build();
    }
  }
}
