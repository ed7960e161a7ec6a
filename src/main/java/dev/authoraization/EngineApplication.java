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
    SpringApplication.run(EngineApplication.class, args);
  }
}
