package dev.authoraization.call;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who asks for a tool call, as established from a verified token (pipeline stage 1).
 *
 * @param subject the user's (or service's) subject identifier at its issuer
 * @param issuer the issuer that vouched for the subject
 * @param roles roles or groups mapped from the token
 * @param agent the client id of the agent acting for the subject, when one does
 */
public record Caller(String subject, String issuer, Set<String> roles, Optional<String> agent) {

  public Caller {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(issuer, "issuer");
    if (subject.isBlank()) {
      throw new IllegalArgumentException("subject must not be blank");
    }
    roles = Set.copyOf(roles);
    Objects.requireNonNull(agent, "agent");
  }

  public static Caller of(String subject, String issuer, Set<String> roles) {
    return new Caller(subject, issuer, roles, Optional.empty());
  }

  public boolean hasAnyRole(Set<String> wanted) {
    return wanted.stream().anyMatch(roles::contains);
  }

  /** A subject is only unique together with its issuer. */
  public String principal() {
    return issuer + "#" + subject;
  }
}
