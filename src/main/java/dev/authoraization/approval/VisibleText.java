package dev.authoraization.approval;

import java.util.Locale;

/**
 * Text an approver reads, with every character that could make it read differently to a human
 * than to the machine shown as a visible code such as {@code [U+202E]}: direction overrides and
 * isolates (Trojan Source, CVE-2021-42574), zero-width characters, invisible Unicode tag
 * characters (which can carry a whole hidden sentence), variation selectors, blank "filler"
 * letters, line and paragraph separators, and control characters other than newline and tab.
 * A pull request title of "Fix typo", U+202E and reversed text is an attack on the approver, not
 * on the fingerprint: the engine binds the exact bytes, so the human must see them too.
 */
public final class VisibleText {

  private VisibleText() {}

  /** {@code text} with every hiding character replaced by {@code [U+XXXX]}; anything else unchanged. */
  public static String show(String text) {
    if (!hidesSomething(text)) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    int previous = -1;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      if (hiding(cp) && !emojiPart(previous, cp)) {
        out.append("[U+").append(String.format(Locale.ROOT, "%04X", cp)).append(']');
      } else {
        out.appendCodePoint(cp);
      }
      previous = cp;
      i += Character.charCount(cp);
    }
    return out.toString();
  }

  /** Whether {@link #show} would change {@code text}: worth a warning next to it. */
  public static boolean hidesSomething(String text) {
    int previous = -1;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      if (hiding(cp) && !emojiPart(previous, cp)) {
        return true;
      }
      previous = cp;
      i += Character.charCount(cp);
    }
    return false;
  }

  /**
   * A zero-width joiner or emoji presentation selector right after an emoji is how emoji such as
   * 👩‍💻 are written; it is not shown as a code.
   */
  private static boolean emojiPart(int previous, int cp) {
    return (cp == 0x200D || cp == 0xFE0F) && previous >= 0
        && (Character.isExtendedPictographic(previous) || Character.isEmojiModifier(previous));
  }

  static boolean hiding(int cp) {
    if (cp == '\n' || cp == '\t') {
      return false;
    }
    return switch (Character.getType(cp)) {
      // Cf: bidi controls, zero-width (joiner, non-joiner, space, word joiner, BOM), tags, soft hyphen
      case Character.FORMAT, Character.CONTROL, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
          Character.SURROGATE, Character.UNASSIGNED, Character.PRIVATE_USE -> true;
      default -> variationSelector(cp) || blank(cp);
    };
  }

  private static boolean variationSelector(int cp) {
    return cp >= 0xFE00 && cp <= 0xFE0F || cp >= 0xE0100 && cp <= 0xE01EF || cp >= 0x180B && cp <= 0x180F;
  }

  /** Letters that render as nothing (Hangul fillers, braille blank, Khmer inherent vowels). */
  private static boolean blank(int cp) {
    return cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0 || cp == 0x2800 || cp == 0x17B4
        || cp == 0x17B5;
  }
}
