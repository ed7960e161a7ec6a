package dev.authoraization.approval.notify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.approval.ApprovalChannel;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.JavaMailSenderImpl;

class NotificationConfigurationTests {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withUserConfiguration(NotificationConfiguration.class)
      .withBean(Clock.class, Clock::systemUTC);

  @Test
  void startWhenNothingConfiguredThenChannelExistsWithEveryNotifierOff() {
    runner.run(context -> {
      assertThat(context).hasSingleBean(ApprovalChannel.class);
      assertThat(context.getBean(NotificationChannel.class).notifierNames()).isEmpty();
    });
  }

  @Test
  void startWhenEveryChannelConfiguredThenEveryNotifierIsOn() {
    runner.withBean(JavaMailSender.class, JavaMailSenderImpl::new)
        .withPropertyValues(
            "engine.notifications.email.recipients.approver[0]=admin@example.test",
            "engine.notifications.email.from=engine@example.test",
            "engine.notifications.slack.webhook-url=https://hooks.slack.example.test/services/T/B/X",
            "engine.notifications.ntfy.topic=engine-approvals",
            "engine.notifications.webhook.url=https://receiver.example.test/hook",
            "engine.notifications.webhook.secret=" + WebhookSignatureTests.randomSecret())
        .run(context -> assertThat(context.getBean(NotificationChannel.class).notifierNames())
            .containsExactly("email", "slack", "ntfy", "webhook"));
  }

  @Test
  void startWhenWebhookHasNoSecretThenFailsSayingWhatToSet() {
    runner.withPropertyValues("engine.notifications.webhook.url=https://receiver.example.test/hook/path-secret")
        .run(context -> {
          assertThat(context).hasFailed();
          assertThat(messages(context.getStartupFailure()))
              .contains("engine.notifications.webhook.secret must be at least 32 bytes")
              .doesNotContain("path-secret");
        });
  }

  @Test
  void startWhenSlackUrlIsNotAUrlThenFailsWithoutRepeatingIt() {
    runner.withPropertyValues("engine.notifications.slack.webhook-url=hooks.slack.example.test/T/B/secretpart")
        .run(context -> {
          assertThat(context).hasFailed();
          assertThat(messages(context.getStartupFailure()))
              .contains("engine.notifications.slack.webhook-url must be an absolute http(s) URL")
              .doesNotContain("secretpart");
        });
  }

  @Test
  void startWhenEmailRecipientsButNoSmtpServerThenFailsNamingSpringMailHost() {
    runner.withPropertyValues("engine.notifications.email.recipients.approver[0]=admin@example.test",
            "engine.notifications.email.from=engine@example.test")
        .run(context -> {
          assertThat(context).hasFailed();
          assertThat(messages(context.getStartupFailure())).contains("spring.mail.host");
        });
  }

  @Test
  void startWhenEmailRecipientsButNoFromThenFails() {
    runner.withBean(JavaMailSender.class, JavaMailSenderImpl::new)
        .withPropertyValues("engine.notifications.email.recipients.approver[0]=admin@example.test")
        .run(context -> {
          assertThat(context).hasFailed();
          assertThat(messages(context.getStartupFailure())).contains("engine.notifications.email.from");
        });
  }

  @Test
  void startWhenNtfyPriorityOutOfRangeThenFails() {
    runner.withPropertyValues("engine.notifications.ntfy.topic=engine-approvals",
            "engine.notifications.ntfy.priority=9")
        .run(context -> {
          assertThat(context).hasFailed();
          assertThat(messages(context.getStartupFailure())).contains("priority must be 1 (min) to 5 (max)");
        });
  }

  private static String messages(Throwable failure) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString();
  }
}
