package dev.authoraization.bench;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * Throughput per CPU-second of the benchmark process, next to JMH's wall-clock throughput. The
 * machine these run on is shared, so a thread often waits for a core and the wall-clock figure
 * says more about the neighbours than about the code. Dividing by the CPU the process actually
 * got (including its JIT and GC threads, so it errs low) gives what one core can do.
 */
public final class CpuTimeProfiler implements InternalProfiler {

  static final String PER_CPU_SECOND = "per.cpu.second";
  static final String CORES = "cpu.cores.used";

  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private long cpuStart;
  private long wallStart;

  @Override
  public String getDescription() {
    return "Throughput per CPU-second of the benchmark process";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmark, IterationParams iteration) {
    cpuStart = os.getProcessCpuTime();
    wallStart = System.nanoTime();
  }

  @Override
  public Collection<? extends Result> afterIteration(BenchmarkParams benchmark,
      IterationParams iteration, IterationResult result) {
    double cores = (os.getProcessCpuTime() - cpuStart) / (double) (System.nanoTime() - wallStart);
    double perCpuSecond = result.getPrimaryResult().getScore() / Math.max(cores, 1e-9);
    return List.of(
        new ScalarResult(CORES, cores, "cores", AggregationPolicy.AVG),
        new ScalarResult(PER_CPU_SECOND, perCpuSecond,
            result.getPrimaryResult().getScoreUnit() + " per core", AggregationPolicy.AVG));
  }
}
