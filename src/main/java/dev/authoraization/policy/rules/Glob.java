package dev.authoraization.policy.rules;

import java.util.regex.Pattern;

/**
 * A tool-name pattern where {@code *} matches any run of characters and {@code ?} exactly one.
 * Matching walks the pattern without regular expressions or allocation, since every rule tests
 * it on every call.
 */
record Glob(String pattern) {

  /** Tool names are {@code [a-z][a-z0-9_]*}; anything else in a pattern is a typo that never matches. */
  static final Pattern SYNTAX = Pattern.compile("[a-z0-9_*?]+");

  Glob {
    if (!SYNTAX.matcher(pattern).matches()) {
      throw new IllegalArgumentException("a tool pattern uses only a-z, 0-9, _, * and ?: " + pattern);
    }
  }

  boolean isLiteral() {
    return pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0;
  }

  /** Classic greedy wildcard match with one backtrack point: linear for a single '*'. */
  boolean matches(String name) {
    int p = 0;
    int n = 0;
    int star = -1;
    int resume = 0;
    while (n < name.length()) {
      if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == name.charAt(n))) {
        p++;
        n++;
      } else if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        resume = n;
      } else if (star >= 0) {
        p = star + 1;
        n = ++resume;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }
}
