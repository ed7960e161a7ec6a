package dev.authoraization.audit;

import dev.authoraization.call.GatewayException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

/**
 * {@code audit verify}: walks the chain and exits 0 when it is intact, 1 when it is broken and 2
 * when it could not be checked. Runs without the web server and without the rest of the engine
 * (only the database and the audit log), so it also works while the engine is down.
 */
public final class AuditCommand {

  public static final int INTACT = 0;
  public static final int BROKEN = 1;
  public static final int FAILED = 2;

  private AuditCommand() {}

  /**
   * Runs the command from {@code main}; {@code args[0]} is "audit". Arguments starting with
   * "--" are Spring properties (e.g. {@code --spring.datasource.url=...}).
   */
  public static int run(String[] args) {
    return run(args, System.out);
  }

  static int run(String[] args, PrintStream out) {
    List<String> words = Arrays.stream(args).skip(1).filter(a -> !a.startsWith("--")).toList();
    String[] properties = Arrays.stream(args).filter(a -> a.startsWith("--")).toArray(String[]::new);
    if (!words.equals(List.of("verify"))) {
      out.println("usage: audit verify [--spring.datasource.url=...]");
      return FAILED;
    }
    try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Context.class)
        .web(WebApplicationType.NONE)
        .bannerMode(Banner.Mode.OFF)
        .logStartupInfo(false)
        .properties("logging.level.root=warn")
        .run(properties)) {
      return execute(context.getBean(AuditLog.class), words, out);
    } catch (RuntimeException e) {
      out.println("audit verify failed: the engine could not start ("
          + e.getClass().getSimpleName() + ")");
      return FAILED;
    }
  }

  /** The command itself, separate from start-up so that it can be tested on any log. */
  static int execute(AuditLog auditLog, List<String> words, PrintStream out) {
    if (!words.equals(List.of("verify"))) {
      out.println("usage: audit verify");
      return FAILED;
    }
    Verification result;
    try {
      result = auditLog.verify();
    } catch (GatewayException e) {
      out.println("audit chain NOT CHECKED: " + e.getMessage());
      return FAILED;
    }
    if (result.intact()) {
      out.println("audit chain intact: " + result.checked() + " records checked");
      return INTACT;
    }
    out.println("audit chain BROKEN at record "
        + result.firstBroken().map(String::valueOf).orElse("?") + ": " + result.detail());
    return BROKEN;
  }

  /** The database, its migrations and the audit log; nothing else of the engine. */
  @ImportAutoConfiguration({DataSourceAutoConfiguration.class, FlywayAutoConfiguration.class})
  @Import(AuditConfiguration.class)
  static class Context {}
}
