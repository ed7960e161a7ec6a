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
      "PolicyBenchmark.decideTwentyRules", "PolicyBenchmark.decideOneRule",
      "PipelineBenchmark.gateway", "PipelineBenchmark.direct",
      "TokenCheckBenchmark.remembered", "TokenCheckBenchmark.verified");

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
      if (run.getParams().getMode() == org.openjdk.jmh.annotations.Mode.SampleTime) {
        var stats = wall.getStatistics();
        System.out.printf(Locale.ROOT, "  %-36s p50 %,10.3f %s  p99 %,10.3f %s  (%,d samples)%n", name,
            stats.getPercentile(50), wall.getScoreUnit(), stats.getPercentile(99), wall.getScoreUnit(), stats.getN());
        return;
      }
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
        if (m.getParams().getMode() == org.openjdk.jmh.annotations.Mode.SampleTime) {
          var ms = m.getPrimaryResult().getStatistics();
          var bs = b.getPrimaryResult().getStatistics();
          System.out.printf(Locale.ROOT, "  %s adds p50 %,.1f %s, p99 %,.1f %s over %s%n", measured,
              ms.getPercentile(50) - bs.getPercentile(50), m.getPrimaryResult().getScoreUnit(),
              ms.getPercentile(99) - bs.getPercentile(99), m.getPrimaryResult().getScoreUnit(), baseline);
          return;
        }
        System.out.printf(Locale.ROOT, "  %s / %s = %.3f wall clock, %.3f per core%n",
            measured, baseline, m.getPrimaryResult().getScore() / b.getPrimaryResult().getScore(),
            perCore(m) / perCore(b));
      }
    });
  }
}
