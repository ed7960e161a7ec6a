package dev.authoraization.credential;

import java.time.Instant;
import java.util.Objects;

/**
 * A secret held for one call. Its {@code toString()} never shows the secret; after
 * {@link #close()} the secret is gone and {@code onClose} (e.g. token revocation) has run.
 * Only a {@code ToolProvider} reads {@link #secret()}.
 */
public final class Credential implements AutoCloseable {

  private final String description;
  private final boolean broad;
  private final Instant expiresAt;
  private final Runnable onClose;
  private volatile char[] secret;

  /**
   * @param description what it is, for the audit record (never the value): e.g.
   *     "github installation token, repo demo/webapp, pull_requests:read"
   * @param broad true when the credential is wider than the call (a personal access token)
   */
  public Credential(String secret, String description, boolean broad, Instant expiresAt, Runnable onClose) {
    this.secret = Objects.requireNonNull(secret, "secret").toCharArray();
    this.description = Objects.requireNonNull(description, "description");
    this.broad = broad;
    this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
    this.onClose = Objects.requireNonNull(onClose, "onClose");
  }

  public String secret() {
    char[] value = secret;
    if (value == null) {
      throw new IllegalStateException("credential already closed");
    }
    return new String(value);
  }

  public String description() {
    return description;
  }

  public boolean broad() {
    return broad;
  }

  public Instant expiresAt() {
    return expiresAt;
  }

  @Override
  public void close() {
    char[] value = secret;
    secret = null;
    if (value != null) {
      java.util.Arrays.fill(value, '\0');
      onClose.run();
    }
  }

  @Override
  public String toString() {
    return "Credential[" + description + ", secret=[redacted]]";
  }
}
