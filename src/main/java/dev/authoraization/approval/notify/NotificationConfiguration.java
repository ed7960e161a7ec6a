package dev.authoraization.approval.notify;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.mail.javamail.JavaMailSender;

/**
 * Builds the notification channel from {@link NotificationProperties}, once at start-up: a
 * configured notifier whose prerequisites are missing fails the start with a message that says
 * what to set. The channel is an {@link dev.authoraization.approval.ApprovalChannel} bean, so
 * {@code Approvals} calls it for every new request.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(NotificationProperties.class)
public class NotificationConfiguration {

  private static final Logger log = LoggerFactory.getLogger(NotificationConfiguration.class);

  @Bean
  NotificationChannel notificationChannel(NotificationProperties properties,
      ObjectProvider<JavaMailSender> mailSender, ObjectProvider<MeterRegistry> meters, Clock clock) {
    List<Notifier> notifiers = notifiers(properties, mailSender.getIfAvailable(), clock);
    NotificationChannel channel = new NotificationChannel(notifiers, properties,
        meters.getIfAvailable(io.micrometer.core.instrument.simple.SimpleMeterRegistry::new), clock);
    log.info("Approval notifications: {}", notifiers.isEmpty() ? "none configured" : channel.notifierNames());
    return channel;
  }

  /** The notifiers the properties turn on, in a fixed order. */
  static List<Notifier> notifiers(NotificationProperties properties, @Nullable JavaMailSender mailSender,
      Clock clock) {
    List<Notifier> notifiers = new ArrayList<>();
    if (properties.email().enabled()) {
      if (mailSender == null) {
        throw new IllegalStateException("engine.notifications.email.recipients is set, but there is no SMTP "
            + "server: set spring.mail.host (and spring.mail.port, username, password as needed)");
      }
      notifiers.add(new EmailNotifier(mailSender, properties.email()));
    }
    if (!(properties.slack().enabled() || properties.ntfy().enabled() || properties.webhook().enabled())) {
      return notifiers;
    }
    HttpPost http = new HttpPost(HttpPost.client(properties.http()), properties.http().requestTimeout());
    if (properties.slack().enabled()) {
      notifiers.add(new SlackNotifier(http, properties.slack().webhookUrl()));
    }
    if (properties.ntfy().enabled()) {
      notifiers.add(new NtfyNotifier(http, properties.ntfy()));
    }
    if (properties.webhook().enabled()) {
      notifiers.add(new WebhookNotifier(http, properties.webhook().url(), properties.webhook().secret(), clock));
    }
    return notifiers;
  }
}
