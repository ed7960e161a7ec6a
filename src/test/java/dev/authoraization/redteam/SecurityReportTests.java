package dev.authoraization.redteam;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keeps docs/security.md honest: its table of attack tests must list exactly the red-team test
 * methods of this package (with their kind and number of tries), every other test it cites must
 * exist, every invariant must be attacked by at least one row, and the totals line and the
 * per-invariant counts must add up. A test added, renamed or removed without updating the report
 * fails the build here, and the failure prints the lines to paste.
 *
 * <p>Kinds: {@code example} is one {@code @Test}; {@code cases} is a {@code @ParameterizedTest}
 * over a fixed list, {@code fuzz} one over {@link Fuzz}'s seeded generator (classes named
 * {@code *Fuzz*}); their tries are counted by calling the {@code @MethodSource}.
 */
class SecurityReportTests {

  static final Path REPORT = Path.of("docs", "security.md");
  static final String PACKAGE = "dev.authoraization.redteam";
  private static final Pattern ROW = Pattern.compile(
      "^\\|\\s*([^|]+?)\\s*\\|\\s*`([A-Za-z0-9_.]+)#([A-Za-z0-9_]+)`\\s*\\|\\s*(example|cases|fuzz|existing)\\s*\\|\\s*(\\d+)\\s*\\|\\s*$");
  private static final Pattern TOTALS = Pattern.compile(
      "red-team cases: (\\d+) · tries: (\\d+) · blocked: (\\d+) · leaked: (\\d+) · existing attack tests cited: (\\d+)");
  private static final Pattern INJECTION = Pattern.compile(
      "prompt-injection cases tried: (\\d+) · blocked: (\\d+) · leaked: (\\d+)");
  private static final Pattern PER_INVARIANT = Pattern.compile(
      "^\\|\\s*(10|[1-9]|web|edges)\\s*\\|\\s*(\\d+)\\s*\\|\\s*(\\d+)\\s*\\|\\s*(\\d+)\\s*\\|\\s*(\\d+)\\s*\\|\\s*(\\d+)\\s*\\|\\s*$");
  private static final List<String> INVARIANTS = List.of("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "web",
      "edges");

  /** One row of the table. */
  record Row(String invariants, String className, String method, String kind, int tries) {
    String id() {
      return className + "#" + method;
    }
  }

  @Test
  void theReportListsExactlyTheRedTeamTestsWithTheirTries() throws Exception {
    Map<String, Row> documented = new TreeMap<>();
    for (Row row : rows()) {
      if (row.className().startsWith("redteam.")) {
        assertThat(documented.put(row.id(), row)).as("listed twice: " + row.id()).isNull();
      }
    }
    Map<String, Row> actual = new TreeMap<>();
    for (Row row : redTeamTests()) {
      actual.put(row.id(), row);
    }

    assertThat(documented.keySet()).as("red-team tests in docs/security.md vs. in " + PACKAGE)
        .containsExactlyElementsOf(actual.keySet());
    for (Row row : actual.values()) {
      Row doc = documented.get(row.id());
      assertThat(doc.kind() + " " + doc.tries()).as(row.id()).isEqualTo(row.kind() + " " + row.tries());
    }
  }

  @Test
  void everyExistingTestTheReportCitesExists() throws Exception {
    List<Row> cited = rows().stream().filter(r -> r.kind().equals("existing")).toList();
    assertThat(cited).isNotEmpty();
    for (Row row : cited) {
      Class<?> type = Class.forName("dev.authoraization." + row.className());
      assertThat(Arrays.stream(type.getDeclaredMethods()).map(Method::getName)).as(row.id()).contains(row.method());
    }
  }

  @Test
  void everyInvariantIsAttackedByAtLeastOneTest() throws Exception {
    Set<String> attacked = new TreeSet<>();
    for (Row row : rows()) {
      for (String label : row.invariants().split("\\s*,\\s*")) {
        attacked.add(label);
      }
    }

    for (int invariant = 1; invariant <= 10; invariant++) {
      assertThat(attacked).as("invariant " + invariant).contains(String.valueOf(invariant));
    }
    assertThat(attacked).allSatisfy(label -> assertThat(label).matches("10|[1-9]|web|edges"));
  }

  @Test
  void theTotalsLineMatchesTheTable() throws Exception {
    List<Row> redTeam = redTeamTests();
    int tries = redTeam.stream().mapToInt(Row::tries).sum();
    long cited = rows().stream().filter(r -> r.kind().equals("existing")).map(Row::id).distinct().count();
    Matcher totals = TOTALS.matcher(Files.readString(REPORT));

    assertThat(totals.find()).as("docs/security.md has a totals line like: " + TOTALS.pattern()).isTrue();
    assertThat(List.of(totals.group(1), totals.group(2), totals.group(3), totals.group(4), totals.group(5)))
        .as("Totals: red-team cases: %d · tries: %d · blocked: %d · leaked: 0 · existing attack tests cited: %d",
            redTeam.size(), tries, tries, cited)
        .isEqualTo(List.of(String.valueOf(redTeam.size()), String.valueOf(tries), String.valueOf(tries), "0",
            String.valueOf(cited)));
  }

  @Test
  void thePromptInjectionLineCountsTheCasesOfPromptInjectionIT() throws Exception {
    long cases = PromptInjectionIT.injections().count();
    Matcher line = INJECTION.matcher(Files.readString(REPORT));

    assertThat(cases).isGreaterThanOrEqualTo(30);
    assertThat(line.find()).as("docs/security.md has a line like: " + INJECTION.pattern()).isTrue();
    assertThat(List.of(line.group(1), line.group(2), line.group(3)))
        .as("prompt-injection cases tried: " + cases + " · blocked: " + cases + " · leaked: 0")
        .isEqualTo(List.of(String.valueOf(cases), String.valueOf(cases), "0"));
  }

  /** The per-invariant table: red-team tests, tries, blocked, leaked and existing tests, from the rows. */
  @Test
  void theCountsPerInvariantMatchTheTable() throws Exception {
    Map<String, Row> actual = new TreeMap<>();
    for (Row row : redTeamTests()) {
      actual.put(row.id(), row);
    }
    Map<String, String> expected = new TreeMap<>();
    for (String invariant : INVARIANTS) {
      List<Row> attacking = rows().stream().filter(r -> List.of(r.invariants().split("\\s*,\\s*")).contains(invariant))
          .toList();
      List<Row> redTeam = attacking.stream().filter(r -> actual.containsKey(r.id())).map(r -> actual.get(r.id())).toList();
      int tries = redTeam.stream().mapToInt(Row::tries).sum();
      long existing = attacking.stream().filter(r -> r.kind().equals("existing")).count();
      expected.put(invariant, "| " + invariant + " | " + redTeam.size() + " | " + tries + " | " + tries + " | 0 | "
          + existing + " |");
    }
    Map<String, String> documented = new TreeMap<>();
    for (String line : Files.readAllLines(REPORT)) {
      Matcher m = PER_INVARIANT.matcher(line);
      if (m.matches()) {
        documented.put(m.group(1), "| " + m.group(1) + " | " + m.group(2) + " | " + m.group(3) + " | " + m.group(4)
            + " | " + m.group(5) + " | " + m.group(6) + " |");
      }
    }

    assertThat(documented).as("per-invariant counts in docs/security.md; expected lines:%n%s",
        String.join("\n", INVARIANTS.stream().map(expected::get).toList())).isEqualTo(expected);
  }

  static List<Row> rows() throws IOException {
    List<Row> rows = new ArrayList<>();
    for (String line : Files.readAllLines(REPORT)) {
      Matcher m = ROW.matcher(line);
      if (m.matches()) {
        rows.add(new Row(m.group(1), m.group(2), m.group(3), m.group(4), Integer.parseInt(m.group(5))));
      }
    }
    return rows;
  }

  /** Test methods of the red-team classes (those tagged "redteam"), found in the compiled tests. */
  static List<Row> redTeamTests() throws Exception {
    Path dir = Path.of(SecurityReportTests.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .resolve(PACKAGE.replace('.', '/'));
    List<String> classes;
    try (Stream<Path> files = Files.list(dir)) {
      classes = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".class") && !n.contains("$"))
          .map(n -> n.substring(0, n.length() - ".class".length())).sorted().toList();
    }
    List<Row> rows = new ArrayList<>();
    for (String simple : classes) {
      Class<?> type = Class.forName(PACKAGE + "." + simple);
      if (!taggedRedTeam(type)) {
        continue;
      }
      for (Method method : type.getDeclaredMethods()) {
        if (method.isAnnotationPresent(ParameterizedTest.class)) {
          rows.add(new Row("", "redteam." + simple, method.getName(), simple.contains("Fuzz") ? "fuzz" : "cases",
              tries(type, method)));
        } else if (method.isAnnotationPresent(Test.class)) {
          rows.add(new Row("", "redteam." + simple, method.getName(), "example", 1));
        }
      }
    }
    assertThat(rows).isNotEmpty();
    return rows;
  }

  /** How many argument sets the test's {@code @MethodSource} methods produce. */
  private static int tries(Class<?> type, Method test) throws Exception {
    MethodSource source = test.getAnnotation(MethodSource.class);
    assertThat(source).as("a red-team @ParameterizedTest takes its tries from a @MethodSource: " + test).isNotNull();
    String[] names = source.value().length == 0 ? new String[] {test.getName()} : source.value();
    int tries = 0;
    for (String name : names) {
      Method factory = type.getDeclaredMethod(name);
      factory.setAccessible(true);
      try (Stream<?> arguments = (Stream<?>) factory.invoke(null)) {
        tries += (int) arguments.count();
      }
    }
    return tries;
  }

  private static boolean taggedRedTeam(Class<?> type) {
    Tag tag = type.getAnnotation(Tag.class);
    return tag != null && tag.value().equals("redteam");
  }
}
