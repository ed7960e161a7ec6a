package dev.authoraization.policy.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class GlobTests {

  @ParameterizedTest(name = "{0} matches {1}: {2}")
  @CsvSource({
      "list_*, list_issues, true",
      "list_*, list_, true",
      "list_*, get_list_issues, false",
      "*_issue, get_issue, true",
      "*_issue, get_issues, false",
      "*, anything, true",
      "get_?ssue, get_issue, true",
      "get_?ssue, get_ssue, false",
      "*pull*, merge_pull_request, true",
      "*a*b, xaxxb, true",
      "*a*b, xaxxbc, false",
      "get_issue, get_issue, true",
      "get_issue, get_issues, false",
  })
  void matchesWholeNameOnly(String pattern, String name, boolean expected) {
    assertThat(new Glob(pattern).matches(name)).isEqualTo(expected);
  }

  @Test
  void globWithCharactersNoToolNameHasIsRefused() {
    assertThatThrownBy(() -> new Glob("list.*")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Glob("List_*")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void toolMatcherCoversExactNamesAndGlobs() {
    ToolMatcher matcher = new ToolMatcher(List.of("merge_pull_request", "get_*"));

    assertThat(matcher.covers("merge_pull_request")).isTrue();
    assertThat(matcher.covers("get_issue")).isTrue();
    assertThat(matcher.covers("merge_pull_requests")).isFalse();
    assertThat(matcher.covers("list_issues")).isFalse();
  }
}
