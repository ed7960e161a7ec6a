package dev.authoraization.web;

import dev.authoraization.call.Caller;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.identity.CallerAuthentication;
import org.springframework.security.core.Authentication;

/** The caller of a REST request, as the security chain established it. */
final class Callers {

  private Callers() {}

  static Caller of(Authentication authentication) {
    if (authentication instanceof CallerAuthentication caller) {
      return caller.caller();
    }
    throw new GatewayException(ErrorCode.UNAUTHENTICATED, "A valid bearer token from a trusted issuer is required.");
  }
}
