package dev.authoraization.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The sandbox is on by default and can be switched off as a whole. */
class SandboxConfigurationTests {

  @Test
  void disabledSandboxCreatesNoBeansAndTouchesNoFiles() {
    new ApplicationContextRunner()
        .withUserConfiguration(SandboxConfiguration.class, SandboxController.class)
        .withPropertyValues("engine.sandbox.enabled=false", "engine.sandbox.data-dir=/nonexistent/never-created")
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).doesNotHaveBean(SandboxDemo.class);
          assertThat(context).doesNotHaveBean(SandboxController.class);
          assertThat(context).doesNotHaveBean(SandboxApp.class);
        });
  }
}
