package dev.authoraization.bench;

import dev.authoraization.approval.ApprovalStore;
import dev.authoraization.approval.ApprovalWaiters;
import dev.authoraization.approval.Approvals;
import dev.authoraization.audit.AuditProperties;
import dev.authoraization.audit.JdbcAuditLog;
import dev.authoraization.call.Caller;
import dev.authoraization.call.ToolCall;
import dev.authoraization.call.ToolCallGateway;
import dev.authoraization.call.ToolResult;
import dev.authoraization.credential.Credential;
import dev.authoraization.credential.CredentialNeed;
import dev.authoraization.credential.CredentialRequest;
import dev.authoraization.credential.CredentialVault;
import dev.authoraization.policy.rules.RulesPolicy;
import dev.authoraization.tool.Risk;
import dev.authoraization.tool.ToolCatalog;
import dev.authoraization.tool.ToolDescriptor;
import dev.authoraization.tool.ToolProvider;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcConnectionPool;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The in-process cost of an allowed call through the whole pipeline — identify, describe,
 * decide (the shipped-style rules policy), two durable audit appends on an H2 file database,
 * a credential, a no-op provider — against the baseline of calling the no-op provider directly
 * in the same run. Sampled, so the summary prints p50 and p99.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class PipelineBenchmark {

  private static final String POLICY = """
      rules:
        - id: read
          tools: [noop_read]
          when: '"developer" in caller.roles'
          effect: allow
      """;

  private Path dir;
  private JdbcConnectionPool pool;
  private JdbcAuditLog audit;
  private ToolCallGateway gateway;
  private NoopTools tools;
  private ToolCall call;
  private Credential credential;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("pipeline-bench");
    pool = JdbcConnectionPool.create("jdbc:h2:file:" + dir.resolve("engine")
        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH", "sa", "");
    Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
    audit = new JdbcAuditLog(pool, AuditProperties.defaults());
    tools = new NoopTools();
    Approvals approvals = new Approvals(new ApprovalStore(new JdbcTemplate(pool)), audit,
        new TransactionTemplate(new DataSourceTransactionManager(pool)), new ApprovalWaiters(), event -> { },
        List.of(), Clock.systemUTC(), new SimpleMeterRegistry());
    gateway = new ToolCallGateway(new ToolCatalog(List.of(tools)), RulesPolicy.parse("bench", POLICY), audit,
        approvals, List.of(tools), new SimpleMeterRegistry(), ObservationRegistry.NOOP);
    call = new ToolCall("noop_read", JsonMapper.builder().build().readTree("{\"repo\":\"demo/webapp\",\"state\":\"open\"}"),
        Caller.of("alice", "https://issuer.bench", Set.of("developer")), "bench");
    credential = tools.issue(null);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    audit.close();
    pool.dispose();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** The whole pipeline, audit writes included. */
  @Benchmark
  public Object gateway() {
    return gateway.execute(call);
  }

  /** Baseline: the same no-op provider called directly. */
  @Benchmark
  public Object direct() {
    return tools.execute(call, credential);
  }

  /** A tool that does nothing, and a vault that hands out a constant credential. */
  static final class NoopTools implements ToolProvider, CredentialVault {
    private final ToolResult result = new ToolResult(JsonMapper.builder().build().createObjectNode().put("ok", true));

    @Override
    public List<ToolDescriptor> tools() {
      return List.of(new ToolDescriptor("noop_read", "does nothing", JsonMapper.builder().build().createObjectNode(),
          Risk.READ, new CredentialNeed("noop", Map.of("issues", "read"))));
    }

    @Override
    public String resource(ToolCall call) {
      return call.arguments().path("repo").asString("");
    }

    @Override
    public ToolResult execute(ToolCall call, Credential credential) {
      return result;
    }

    @Override
    public boolean supports(String kind) {
      return kind.equals("noop");
    }

    @Override
    public Credential issue(CredentialRequest request) {
      return new Credential("noop", "no-op credential", false, Instant.MAX, () -> { });
    }
  }
}
