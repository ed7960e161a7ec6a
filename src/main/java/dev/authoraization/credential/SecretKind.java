package dev.authoraization.credential;

import java.util.Arrays;
import java.util.Optional;

/** What a stored secret is; part of what its ciphertext is bound to. */
public enum SecretKind {
  /** A GitHub App's private key, PKCS#8 PEM. */
  GITHUB_APP_KEY("github-app-key"),
  /** A GitHub personal access token (broad: the sandbox and development fallback). */
  PAT("pat"),
  /** A user's own token from a linked identity (e.g. their GitHub OAuth token). */
  LINKED_TOKEN("linked-token");

  private final String id;

  SecretKind(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  public static Optional<SecretKind> of(String id) {
    return Arrays.stream(values()).filter(kind -> kind.id.equals(id)).findFirst();
  }
}
