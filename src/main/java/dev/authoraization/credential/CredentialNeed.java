package dev.authoraization.credential;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a tool needs to hold to run: a kind of credential ({@code github}) and the exact
 * permissions, by name, each {@code read} or {@code write} (as GitHub App permissions are).
 */
public record CredentialNeed(String kind, Map<String, String> permissions) {

  public CredentialNeed {
    Objects.requireNonNull(kind, "kind");
    permissions = Map.copyOf(permissions);
    permissions.forEach((name, level) -> {
      if (!level.equals("read") && !level.equals("write")) {
        throw new IllegalArgumentException("permission " + name + " must be read or write, not " + level);
      }
    });
  }

  /** The same permissions, each lowered to read: what checking preconditions needs. */
  public CredentialNeed readOnly() {
    Map<String, String> read = new TreeMap<>();
    permissions.keySet().forEach(name -> read.put(name, "read"));
    return new CredentialNeed(kind, read);
  }
}
