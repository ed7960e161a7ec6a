package dev.authoraization.redteam;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Generators of hostile input shared by the fuzzing properties. */
final class Fuzz {

  private Fuzz() {}

  /** Characters that break naive parsers, renderers and comparisons. */
  static final List<String> ODD = List.of("\u0000", "\uD800", "\uDFFF", "\uDBFF\uDFFF", "\u202E", "\u200F", "\u200B",
      "\uFEFF", "\u2028", "\u0085", "\"", "\\", "\\u0000", "\\ud800", "'", "<script>", "${jndi:ldap://x}", "%00",
      "../", "é", "👩‍💻", "\r\n", "\t", "{", "}", "[", "]", ":", ",");

  /** Text with odd code points, escapes and injection markers mixed into ordinary characters. */
  static Arbitrary<String> oddText() {
    Arbitrary<String> pieces = Arbitraries.oneOf(Arbitraries.of(ODD),
        Arbitraries.strings().all().ofMaxLength(8), Arbitraries.strings().alpha().numeric().ofMaxLength(12));
    return pieces.list().ofMaxSize(12).map(list -> String.join("", list));
  }

  /** A JSON string literal of {@code text}, escaped the way a careful client would (or not). */
  static Arbitrary<String> jsonString() {
    return Arbitraries.oneOf(oddText().map(Fuzz::quote), oddText().map(t -> "\"" + t + "\""),
        Arbitraries.strings().ofMinLength(100_000).ofMaxLength(300_000).withChars('a', 'Z').map(Fuzz::quote),
        Arbitraries.of("\"demo/webapp\"", "\"demo/\u202Epam\"", "\"demo/../etc\"", "\"\""));
  }

  /** Any JSON value, nested up to a few levels, with hostile strings and numbers. */
  static Arbitrary<String> jsonValue(int depth) {
    Arbitrary<String> scalar = Arbitraries.oneOf(jsonString(),
        Arbitraries.of("null", "true", "false", "0", "-0", "1e999999", "-1e-999999", "9223372036854775808",
            "123456789012345678901234567890", "NaN", "Infinity", "0x10", "01", "1.", ".5"),
        Arbitraries.longs().map(String::valueOf), Arbitraries.doubles().map(String::valueOf));
    if (depth <= 0) {
      return scalar;
    }
    Arbitrary<String> array = jsonValue(depth - 1).list().ofMaxSize(4).map(l -> "[" + String.join(",", l) + "]");
    Arbitrary<String> object = Combinators.combine(key(), jsonValue(depth - 1)).as((k, v) -> k + ":" + v)
        .list().ofMaxSize(4).map(l -> "{" + String.join(",", l) + "}");
    return Arbitraries.oneOf(scalar, array, object);
  }

  static Arbitrary<String> key() {
    return Arbitraries.oneOf(Arbitraries.of("\"tool\"", "\"arguments\"", "\"repo\"", "\"idempotency_key\"",
        "\"verdict\"", "\"fingerprint\"", "\"reason\"", "\"__proto__\"", "\"@class\""), jsonString());
  }

  /** Bodies for a tool call: well-shaped with hostile values, shapeless, or not JSON at all. */
  static Arbitrary<String> toolCallBody() {
    Arbitrary<String> tool = Arbitraries.oneOf(Arbitraries.of("\"read_notes\"", "\"merge_change\"", "\"read_notes\\u0000\"",
        "\"READ_NOTES\"", "\"read_notes \"", "\"merge_change\u200B\"", "null", "1", "[]", "{}"), jsonString());
    Arbitrary<String> arguments = Arbitraries.oneOf(
        Combinators.combine(Arbitraries.of("\"repo\"", "\"Repo\"", "\"repo\\u0000\"", "\"r\u0435po\""), jsonValue(1))
            .as((k, v) -> "{" + k + ":" + v + "}"),
        jsonValue(2));
    Arbitrary<String> shaped = Combinators.combine(tool, arguments)
        .as((t, a) -> "{\"tool\":" + t + ",\"arguments\":" + a + "}");
    return Arbitraries.oneOf(shaped, jsonValue(3), oddText(), shaped.map(Fuzz::truncate),
        Arbitraries.of("", "{", "{}", "[]", "null", "{\"tool\":\"read_notes\",\"arguments\":{\"repo\":\"demo/x\"}}}}}",
            "{\"tool\":\"read_notes\",\"tool\":\"merge_change\",\"arguments\":{\"repo\":\"demo/x\"}}",
            "[".repeat(5000) + "]".repeat(5000), "{\"a\":".repeat(3000) + "1" + "}".repeat(3000)));
  }

  static String quote(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20 || Character.isSurrogate(c)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  private static String truncate(String text) {
    return text.substring(0, text.length() / 2);
  }
}
