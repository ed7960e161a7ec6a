package dev.authoraization.redteam;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Hostile input for the fuzzing tests, from {@link Random} with a fixed seed: every run tries the
 * same inputs, a failure names the seed and the try, and {@code -Dredteam.seed=N} explores others.
 * Each property mixes the seed with its own name, so properties do not share their data.
 */
final class Fuzz {

  /** The seed of every fuzzing run unless {@code -Dredteam.seed} says otherwise. */
  static final long SEED = Long.getLong("redteam.seed", 20261202L);

  /** Characters that break naive parsers, renderers and comparisons. */
  static final List<String> ODD = List.of("\u0000", "\uD800", "\uDFFF", "\uDBFF\uDFFF", "\u202E", "\u200F", "\u200B",
      "\uFEFF", "\u2028", "\u0085", "\"", "\\", "\\u0000", "\\ud800", "'", "<script>", "${jndi:ldap://x}", "%00",
      "../", "é", "👩‍💻", "\r\n", "\t", "{", "}", "[", "]", ":", ",", "\uDB40\uDC41", "\u0435", "\uFFFF", "\u00AD");

  private static final String ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

  private final Random random;

  private Fuzz(long seed) {
    this.random = new Random(seed);
  }

  /**
   * {@code tries} argument sets for the property {@code property}, each made by {@code make} from
   * one generator seeded with {@link #SEED} and the property's name. Values show in test names
   * shortened, so a huge input does not become a huge report.
   */
  static Stream<Arguments> tries(String property, int tries, Function<Fuzz, List<String>> make) {
    long seed = SEED ^ property.hashCode();
    System.out.printf("[fuzz] %s: %d tries, seed %d (another run: -Dredteam.seed=N)%n", property, tries, SEED);
    Fuzz fuzz = new Fuzz(seed);
    return IntStream.rangeClosed(1, tries).mapToObj(i -> Arguments.of(make.apply(fuzz).stream()
        .map(value -> Named.of("«" + shorten(value) + "»", value)).toArray()));
  }

  /** One of the suppliers, chosen evenly. */
  @SafeVarargs
  final String oneOf(Supplier<String>... choices) {
    return choices[random.nextInt(choices.length)].get();
  }

  String of(List<String> values) {
    return values.get(random.nextInt(values.size()));
  }

  int between(int min, int max) {
    return min + random.nextInt(max - min + 1);
  }

  /** Any long, with the edges (0, ±1, MIN, MAX) as likely as the rest together. */
  long anyLong() {
    return random.nextBoolean() ? random.nextLong()
        : List.of(0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE - 1)
            .get(random.nextInt(7));
  }

  double anyDouble() {
    return random.nextBoolean() ? random.nextDouble() * Math.pow(10, between(-300, 300)) * (random.nextBoolean() ? 1 : -1)
        : List.of(0.0, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, Double.MIN_NORMAL).get(random.nextInt(5));
  }

  /** Any UTF-16 string up to {@code max} chars: any char, lone surrogates included. */
  String anyChars(int max) {
    StringBuilder out = new StringBuilder();
    int length = random.nextInt(max + 1);
    for (int i = 0; i < length; i++) {
      out.append(random.nextInt(4) == 0 ? (char) random.nextInt(0x80) : (char) random.nextInt(0x10000));
    }
    return out.toString();
  }

  /** Letters and digits only, up to {@code max}. */
  String alphanumeric(int max) {
    return from(ALPHANUMERIC, random.nextInt(max + 1));
  }

  /** Exactly {@code length} characters from {@code alphabet}. */
  String from(String alphabet, int length) {
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return out.toString();
  }

  /** Text with odd code points, escapes and injection markers mixed into ordinary characters. */
  String oddText() {
    StringBuilder out = new StringBuilder();
    int pieces = random.nextInt(13);
    for (int i = 0; i < pieces; i++) {
      out.append(oneOf(() -> of(ODD), () -> anyChars(8), () -> alphanumeric(12)));
    }
    return out.toString();
  }

  /** A JSON string literal, escaped the way a careful client would (or not). */
  String jsonString() {
    return oneOf(() -> quote(oddText()), () -> "\"" + oddText() + "\"",
        () -> quote(from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", between(100_000, 300_000))),
        () -> of(List.of("\"demo/webapp\"", "\"demo/\u202Epam\"", "\"demo/../etc\"", "\"\"")));
  }

  /** Any JSON value (or almost: NaN, 0x10, 01), nested up to {@code depth} levels. */
  String jsonValue(int depth) {
    Supplier<String> scalar = () -> oneOf(this::jsonString,
        () -> of(List.of("null", "true", "false", "0", "-0", "1e999999", "-1e-999999", "9223372036854775808",
            "123456789012345678901234567890", "NaN", "Infinity", "0x10", "01", "1.", ".5")),
        () -> String.valueOf(anyLong()), () -> String.valueOf(anyDouble()));
    if (depth <= 0) {
      return scalar.get();
    }
    return oneOf(scalar, () -> "[" + String.join(",", list(4, () -> jsonValue(depth - 1))) + "]",
        () -> "{" + String.join(",", list(4, () -> key() + ":" + jsonValue(depth - 1))) + "}");
  }

  String key() {
    return oneOf(() -> of(List.of("\"tool\"", "\"arguments\"", "\"repo\"", "\"idempotency_key\"", "\"verdict\"",
        "\"fingerprint\"", "\"reason\"", "\"__proto__\"", "\"@class\"")), this::jsonString);
  }

  /** Bodies for a tool call: well-shaped with hostile values, shapeless, or not JSON at all. */
  String toolCallBody() {
    Supplier<String> shaped = () -> "{\"tool\":" + oneOf(() -> of(List.of("\"read_notes\"", "\"merge_change\"",
            "\"read_notes\\u0000\"", "\"READ_NOTES\"", "\"read_notes \"", "\"merge_change\u200B\"", "null", "1", "[]",
            "{}")), this::jsonString)
        + ",\"arguments\":" + oneOf(() -> "{" + of(List.of("\"repo\"", "\"Repo\"", "\"repo\\u0000\"", "\"r\u0435po\""))
            + ":" + jsonValue(1) + "}", () -> jsonValue(2)) + "}";
    return oneOf(shaped, () -> jsonValue(3), this::oddText, () -> {
      String body = shaped.get();
      return body.substring(0, body.length() / 2);
    }, () -> of(List.of("", "{", "{}", "[]", "null", "{\"tool\":\"read_notes\",\"arguments\":{\"repo\":\"demo/x\"}}}}}",
        "{\"tool\":\"read_notes\",\"tool\":\"merge_change\",\"arguments\":{\"repo\":\"demo/x\"}}",
        "[".repeat(5000) + "]".repeat(5000), "{\"a\":".repeat(3000) + "1" + "}".repeat(3000))));
  }

  /** Up to {@code max} values from {@code make}. */
  List<String> list(int max, Supplier<String> make) {
    List<String> out = new ArrayList<>();
    int size = random.nextInt(max + 1);
    for (int i = 0; i < size; i++) {
      out.add(make.get());
    }
    return out;
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

  static String shorten(String text) {
    String printable = text.codePoints().limit(120)
        .collect(StringBuilder::new, (b, cp) -> b.append(cp < 0x20 || Character.getType(cp) == Character.FORMAT
            || Character.getType(cp) == Character.SURROGATE ? String.format("\\u%04x", cp) : Character.toString(cp)),
            StringBuilder::append).toString();
    return text.length() <= 120 ? printable : printable + "… (" + text.length() + " chars)";
  }
}
