package dev.authoraization.approval.passkey;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The approver device's passkeys ({@code engine.approvals.passkey.*}).
 *
 * @param required every decision on the approver device needs a passkey assertion; false allows
 *     the password-only demo mode, audited as unverified
 * @param origins the exact origins (scheme, host, port) the approver pages are served on; an
 *     assertion made on any other origin is refused (WebAuthn Level 3, section 7.2 step 9)
 * @param rpName the relying party name an authenticator shows when a passkey is created
 */
@ConfigurationProperties(prefix = "engine.approvals.passkey")
public record PasskeyProperties(@Nullable Boolean required, @Nullable List<String> origins, @Nullable String rpName) {

  public PasskeyProperties {
    required = required == null || required;
    origins = origins == null || origins.isEmpty() ? List.of("http://localhost:8080") : List.copyOf(origins);
    rpName = rpName == null || rpName.isBlank() ? "AuthorAIzation Engine" : rpName;
  }

  public boolean isRequired() {
    return Boolean.TRUE.equals(required);
  }
}
