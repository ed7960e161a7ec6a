package dev.authoraization.sandbox;

/**
 * A GitHub-style error answer ({@code {"message", "documentation_url"}}) with its HTTP status.
 * Only ever rendered by the sandbox's own handlers; it never leaves the sandbox package.
 */
final class SandboxError extends RuntimeException {

  static final String DOCS = "https://docs.github.com/rest";

  private final int status;
  private final String documentationUrl;

  SandboxError(int status, String message) {
    this(status, message, DOCS);
  }

  SandboxError(int status, String message, String documentationUrl) {
    super(message, null, false, false);
    this.status = status;
    this.documentationUrl = documentationUrl;
  }

  static SandboxError notFound() {
    return new SandboxError(404, "Not Found");
  }

  static SandboxError badCredentials() {
    return new SandboxError(401, "Bad credentials");
  }

  static SandboxError notAccessible() {
    return new SandboxError(403, "Resource not accessible by integration");
  }

  int status() {
    return status;
  }

  String documentationUrl() {
    return documentationUrl;
  }
}
