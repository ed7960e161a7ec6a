package dev.authoraization.bench;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * Runs JMH with the usual command line ({@code -t 1}, a benchmark regex, ...) and then prints
 * one plain line per benchmark, plus the ratio for each pair a benchmark class declares.
 */
public final class BenchMain {

  /** Benchmark pairs compared in the summary: measured over same-run baseline. */
  private static final Map<String, String> RATIOS = Map.of(
      "PolicyBenchmark.decideTwentyRules", "PolicyBenchmark.decideOneRule");

  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    Collection<RunResult> results = new Runner(new CommandLineOptions(args)).run();
    Map<String, Result<?>> scores = new TreeMap<>();
    for (RunResult run : results) {
      String name = run.getParams().getBenchmark();
      scores.put(name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1),
          run.getPrimaryResult());
    }
    System.out.println();
    System.out.println("Summary (" + Runtime.getRuntime().availableProcessors() + " cores, "
        + System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + "):");
    scores.forEach((name, result) -> System.out.printf(Locale.ROOT, "  %-40s %,14.0f %s (± %,.0f)%n",
        name, result.getScore(), result.getScoreUnit(), result.getScoreError()));
    RATIOS.forEach((measured, baseline) -> {
      if (scores.containsKey(measured) && scores.containsKey(baseline)) {
        System.out.printf(Locale.ROOT, "  %s / %s = %.3f%n", measured, baseline,
            scores.get(measured).getScore() / scores.get(baseline).getScore());
      }
    });
  }
}
