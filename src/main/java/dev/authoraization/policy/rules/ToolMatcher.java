package dev.authoraization.policy.rules;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The tools a rule covers: exact names looked up in a set, globs tested in order. */
final class ToolMatcher {

  private final List<String> patterns;
  private final Set<String> names;
  private final Glob[] globs;

  ToolMatcher(List<String> patterns) {
    this.patterns = List.copyOf(patterns);
    List<Glob> all = this.patterns.stream().map(Glob::new).toList();
    this.names = all.stream().filter(Glob::isLiteral).map(Glob::pattern).collect(Collectors.toUnmodifiableSet());
    this.globs = all.stream().filter(glob -> !glob.isLiteral()).toArray(Glob[]::new);
  }

  boolean covers(String tool) {
    if (names.contains(tool)) {
      return true;
    }
    for (Glob glob : globs) {
      if (glob.matches(tool)) {
        return true;
      }
    }
    return false;
  }

  List<String> patterns() {
    return patterns;
  }

  @Override
  public String toString() {
    return patterns.toString();
  }
}
