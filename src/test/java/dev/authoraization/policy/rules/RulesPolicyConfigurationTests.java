package dev.authoraization.policy.rules;

import static dev.authoraization.policy.rules.Calls.call;
import static dev.authoraization.policy.rules.Calls.caller;
import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.call.Decision;
import dev.authoraization.policy.Policy;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class RulesPolicyConfigurationTests {

  private final ApplicationContextRunner context = new ApplicationContextRunner()
      .withUserConfiguration(RulesPolicyConfiguration.class);

  @TempDir
  Path dir;

  @Test
  void policyWhenNoPathConfiguredThenShippedDefaultIsLoaded() {
    context.run(ctx -> {
      Policy policy = ctx.getBean(Policy.class);
      assertThat(policy.decide(call("list_issues", caller("alice", "developer"))))
          .isEqualTo(new Decision.Allow("read-repositories"));
    });
  }

  @Test
  void policyWhenPathConfiguredThenThatFileIsLoaded() throws Exception {
    Path file = dir.resolve("mine.yaml");
    Files.writeString(file, """
        rules:
          - id: everything
            tools: ["*"]
            effect: allow
        """);
    context.withPropertyValues("engine.policy.path=" + file).run(ctx -> {
      assertThat(ctx.getBean(Policy.class).decide(call("delete_repository", caller("x"))))
          .isEqualTo(new Decision.Allow("everything"));
    });
  }

  @Test
  void startupWhenPolicyBrokenThenFailsWithTheLoadError() throws Exception {
    Path file = dir.resolve("broken.yaml");
    Files.writeString(file, "rules:\n  - id: x\n    tools: [a]\n    effect: maybe\n");
    context.withPropertyValues("engine.policy.path=" + file).run(ctx -> {
      assertThat(ctx).hasFailed();
      assertThat(ctx.getStartupFailure()).rootCause()
          .isInstanceOf(PolicyLoadException.class)
          .hasMessageContaining("line 4, rule 'x'");
    });
  }
}
