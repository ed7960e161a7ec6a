package dev.authoraization;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class EngineApplication {
  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("audit")) {
      System.exit(dev.authoraization.audit.AuditCommand.run(args)); // CLI, no web server
    }
    if (args.length > 0 && args[0].equals("vault")) {
      System.exit(dev.authoraization.credential.tink.VaultCommand.run(args)); // CLI, no web server
    }
    try {
      SpringApplication.run(EngineApplication.class, args);
    } catch (SpringApplication.AbandonedRunException expected) {
      throw expected; // a run stopped on purpose (the AOT cache's training start), not a failure
    } catch (RuntimeException | Error failed) {
      // Spring has logged why. End the process now, with a status a supervisor (systemd,
      // Kubernetes, a script) sees: a thread a library started before the failure would keep the
      // JVM running with nothing served (the MCP SDK 2.1.0's session sweeper is not a daemon).
      System.exit(1);
    }
  }
}
