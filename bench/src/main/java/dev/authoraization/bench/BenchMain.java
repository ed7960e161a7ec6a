package dev.authoraization.bench;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs JMH with the usual command line ({@code -t 1}, a benchmark regex, ...), always with
 * {@link CpuTimeProfiler}, then prints one plain line per benchmark and the ratio for each pair
 * in {@link #RATIOS}.
 */
public final class BenchMain {

  /** Benchmark pairs compared in the summary: measured, then its same-run baseline. */
  private static final Map<String, String> RATIOS = Map.of(
      "PolicyBenchmark.decideTwentyRules", "PolicyBenchmark.decideOneRule");

  private BenchMain() {}

  private static double perCore(RunResult run) {
    Result<?> result = run.getSecondaryResults().get(CpuTimeProfiler.PER_CPU_SECOND);
    return result == null ? Double.NaN : result.getScore();
  }

  public static void main(String[] args) throws Exception {
    Collection<RunResult> results = new Runner(new OptionsBuilder()
        .parent(new CommandLineOptions(args))
        .addProfiler(CpuTimeProfiler.class)
        .build()).run();
    Map<String, RunResult> byName = new TreeMap<>();
    for (RunResult run : results) {
      String name = run.getParams().getBenchmark();
      byName.put(name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1), run);
    }
    System.out.println();
    System.out.println("Summary (" + Runtime.getRuntime().availableProcessors() + " cores, "
        + System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + "):");
    byName.forEach((name, run) -> {
      Result<?> wall = run.getPrimaryResult();
      Result<?> perCore = run.getSecondaryResults().get(CpuTimeProfiler.PER_CPU_SECOND);
      Result<?> cores = run.getSecondaryResults().get(CpuTimeProfiler.CORES);
      System.out.printf(Locale.ROOT, "  %-36s %,12.0f %s (± %,.0f) wall clock; %,12.0f %s on %.2f cores%n",
          name, wall.getScore(), wall.getScoreUnit(), wall.getScoreError(),
          perCore == null ? Double.NaN : perCore.getScore(),
          perCore == null ? "" : perCore.getScoreUnit(),
          cores == null ? Double.NaN : cores.getScore());
    });
    RATIOS.forEach((measured, baseline) -> {
      if (byName.containsKey(measured) && byName.containsKey(baseline)) {
        RunResult m = byName.get(measured);
        RunResult b = byName.get(baseline);
        System.out.printf(Locale.ROOT, "  %s / %s = %.3f wall clock, %.3f per core%n",
            measured, baseline, m.getPrimaryResult().getScore() / b.getPrimaryResult().getScore(),
            perCore(m) / perCore(b));
      }
    });
  }
}
