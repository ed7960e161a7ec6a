package dev.authoraization.approval;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VisibleTextTests {

  @Test
  void directionOverridesAndIsolatesAreShownAsCodes() {
    // reads "demo/webapp" to a human in a right-to-left override, is "demo/ppabew" to the machine
    assertThat(VisibleText.show("demo/\u202Eppabew\u202C")).isEqualTo("demo/[U+202E]ppabew[U+202C]");
    assertThat(VisibleText.show("a\u2066b\u2067c\u2068d\u2069e\u200Ef\u200Fg\u061C"))
        .isEqualTo("a[U+2066]b[U+2067]c[U+2068]d[U+2069]e[U+200E]f[U+200F]g[U+061C]");
  }

  @Test
  void zeroWidthCharactersAreShownAsCodes() {
    assertThat(VisibleText.show("we\u200Bb\u200Cap\u200Dp\u2060\uFEFF"))
        .isEqualTo("we[U+200B]b[U+200C]ap[U+200D]p[U+2060][U+FEFF]");
  }

  @Test
  void aSentenceSmuggledInInvisibleTagCharactersIsShownInFull() {
    StringBuilder hidden = new StringBuilder("Fix typo");
    "merge".chars().forEach(c -> hidden.appendCodePoint(0xE0000 + c));

    assertThat(VisibleText.show(hidden.toString()))
        .isEqualTo("Fix typo[U+E006D][U+E0065][U+E0072][U+E0067][U+E0065]");
  }

  @Test
  void controlCharactersOtherThanNewlineAndTabAreShown() {
    assertThat(VisibleText.show("a\u0000b\u001Bc\u007Fd\u0085e\nf\tg")).isEqualTo("a[U+0000]b[U+001B]c[U+007F]d[U+0085]e\nf\tg");
  }

  @Test
  void variationSelectorsBlankLettersAndLineSeparatorsAreShown() {
    assertThat(VisibleText.show("a\uFE00b\uDB40\uDD00c\u3164d\u2800e\u2028f\u2029g\u00ADh"))
        .isEqualTo("a[U+FE00]b[U+E0100]c[U+3164]d[U+2800]e[U+2028]f[U+2029]g[U+00AD]h");
  }

  @Test
  void aLoneSurrogateIsShownNotPassedOn() {
    assertThat(VisibleText.show("a\uD800b")).isEqualTo("a[U+D800]b");
  }

  @ParameterizedTest
  @ValueSource(strings = {"demo/webapp", "Fix the café menu", "Привет, 世界", "مرحبا", "👩‍💻 ❤️ 👍🏽",
      "line one\n\tline two", ""})
  void ordinaryTextInAnyScriptWithEmojiNewlinesAndTabsIsUnchanged(String text) {
    assertThat(VisibleText.show(text)).isEqualTo(text);
    assertThat(VisibleText.hidesSomething(text)).isFalse();
  }

  @Test
  void aJoinerThatFollowsNoEmojiIsShown() {
    assertThat(VisibleText.show("👍\u200D")).isEqualTo("👍\u200D");
    assertThat(VisibleText.show("x\u200Dy")).isEqualTo("x[U+200D]y");
    assertThat(VisibleText.hidesSomething("x\u200Dy")).isTrue();
  }
}
