package dev.authoraization.approval.notify;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the approval notifications ({@code engine.notifications.*}). Every notifier is off
 * until its section is configured; a configured section is checked here, once, at start-up, so a
 * typo fails the start instead of the first approval.
 *
 * @param approverUrl the approver page of one request; {@code {id}} is replaced by the request id
 * @param summaryArguments the only tool arguments a message may show (scalar values, shortened)
 * @param retry how a failing notifier is retried
 * @param http timeouts of the HTTP notifiers
 */
@ConfigurationProperties(prefix = "engine.notifications")
public record NotificationProperties(
    @DefaultValue("http://localhost:8080/approvals/{id}") String approverUrl,
    @DefaultValue({"owner", "repo", "pull_number", "issue_number", "number", "branch", "base", "head",
        "merge_method"})
    List<String> summaryArguments,
    @DefaultValue Retry retry,
    @DefaultValue Http http,
    @DefaultValue Email email,
    @DefaultValue Slack slack,
    @DefaultValue Ntfy ntfy,
    @DefaultValue Webhook webhook) {

  public NotificationProperties {
    if (!approverUrl.contains("{id}")) {
      throw new IllegalArgumentException(
          "engine.notifications.approver-url must contain {id}, the place of the request id; got " + approverUrl);
    }
    httpUrl("engine.notifications.approver-url", approverUrl.replace("{id}", "id"));
    summaryArguments = List.copyOf(summaryArguments);
  }

  /** All notifiers off, the defaults otherwise: for code that builds the channel without Spring. */
  public static NotificationProperties defaults() {
    return new NotificationProperties("http://localhost:8080/approvals/{id}",
        List.of("owner", "repo", "pull_number", "issue_number", "number", "branch", "base", "head", "merge_method"),
        new Retry(4, Duration.ofSeconds(1), 2.0), new Http(Duration.ofSeconds(5), Duration.ofSeconds(10)),
        new Email(Map.of(), "", false), new Slack(""), new Ntfy("https://ntfy.sh", "", 4, List.of("lock"), ""),
        new Webhook("", ""));
  }

  public NotificationProperties withRetry(Retry retry) {
    return new NotificationProperties(approverUrl, summaryArguments, retry, http, email, slack, ntfy, webhook);
  }

  public NotificationProperties withEmail(Email email) {
    return new NotificationProperties(approverUrl, summaryArguments, retry, http, email, slack, ntfy, webhook);
  }

  public NotificationProperties withSlack(Slack slack) {
    return new NotificationProperties(approverUrl, summaryArguments, retry, http, email, slack, ntfy, webhook);
  }

  public NotificationProperties withNtfy(Ntfy ntfy) {
    return new NotificationProperties(approverUrl, summaryArguments, retry, http, email, slack, ntfy, webhook);
  }

  public NotificationProperties withWebhook(Webhook webhook) {
    return new NotificationProperties(approverUrl, summaryArguments, retry, http, email, slack, ntfy, webhook);
  }

  /**
   * Bounded exponential backoff: attempt n waits {@code initialBackoff * multiplier^(n-1)}.
   *
   * @param maxAttempts attempts in all, the first one included
   */
  public record Retry(@DefaultValue("4") int maxAttempts, @DefaultValue("1s") Duration initialBackoff,
      @DefaultValue("2.0") double multiplier) {

    public Retry {
      if (maxAttempts < 1 || maxAttempts > 10) {
        throw new IllegalArgumentException("engine.notifications.retry.max-attempts must be 1 to 10");
      }
      if (initialBackoff.isNegative() || initialBackoff.isZero()) {
        throw new IllegalArgumentException("engine.notifications.retry.initial-backoff must be positive");
      }
      if (multiplier < 1.0) {
        throw new IllegalArgumentException("engine.notifications.retry.multiplier must be at least 1.0");
      }
    }
  }

  /** Timeouts of every HTTP notifier: a hanging receiver costs one virtual thread, bounded in time. */
  public record Http(@DefaultValue("5s") Duration connectTimeout, @DefaultValue("10s") Duration requestTimeout) {

    public Http {
      if (connectTimeout.isNegative() || connectTimeout.isZero()
          || requestTimeout.isNegative() || requestTimeout.isZero()) {
        throw new IllegalArgumentException("engine.notifications.http timeouts must be positive");
      }
    }
  }

  /**
   * E-mail over SMTP (the server is Spring Boot's {@code spring.mail.*}).
   *
   * @param recipients addresses per approver role or group, e.g. {@code approver: [admin@example.test]}
   * @param from the sender address, required once recipients are configured
   * @param html also send a simple HTML part next to the plain text
   */
  public record Email(Map<String, List<String>> recipients, @DefaultValue("") String from,
      @DefaultValue("false") boolean html) {

    public Email {
      recipients = recipients == null ? Map.of() : Map.copyOf(recipients);
      recipients.forEach((role, addresses) -> {
        if (addresses.isEmpty() || addresses.stream().anyMatch(a -> !a.contains("@") || a.isBlank())) {
          throw new IllegalArgumentException("engine.notifications.email.recipients." + role
              + " must list e-mail addresses; got " + addresses);
        }
      });
      if (!recipients.isEmpty() && !from.contains("@")) {
        throw new IllegalArgumentException(
            "engine.notifications.email.from must be an e-mail address when recipients are configured");
      }
    }

    public boolean enabled() {
      return !recipients.isEmpty();
    }

    /** The addresses of everyone holding one of these roles, each once, in a stable order. */
    public List<String> recipientsFor(Set<String> roles) {
      return roles.stream().sorted().flatMap(role -> recipients.getOrDefault(role, List.of()).stream())
          .distinct().toList();
    }
  }

  /**
   * A Slack incoming webhook. Its URL embeds the secret that lets anyone post, so it is never
   * logged nor printed.
   */
  public record Slack(@DefaultValue("") String webhookUrl) {

    public Slack {
      if (!webhookUrl.isEmpty()) {
        httpUrl("engine.notifications.slack.webhook-url", webhookUrl);
      }
    }

    public boolean enabled() {
      return !webhookUrl.isEmpty();
    }

    @Override
    public String toString() {
      return "Slack[webhookUrl=" + (enabled() ? "[redacted]" : "") + "]";
    }
  }

  /**
   * An ntfy topic. Anyone who knows a topic on a public server may read it, so pick a topic that is
   * hard to guess, or protect it and set an access token.
   *
   * @param priority 1 (min) to 5 (max)
   * @param accessToken sent as a bearer token when set (protected topics), never logged
   */
  public record Ntfy(@DefaultValue("https://ntfy.sh") String server, @DefaultValue("") String topic,
      @DefaultValue("4") int priority, @DefaultValue("lock") List<String> tags,
      @DefaultValue("") String accessToken) {

    public Ntfy {
      tags = List.copyOf(tags);
      if (!topic.isEmpty()) {
        httpUrl("engine.notifications.ntfy.server", server);
        if (!topic.matches("[-_A-Za-z0-9]{1,64}")) {
          throw new IllegalArgumentException(
              "engine.notifications.ntfy.topic may hold only letters, digits, - and _ (at most 64)");
        }
      }
      if (priority < 1 || priority > 5) {
        throw new IllegalArgumentException("engine.notifications.ntfy.priority must be 1 (min) to 5 (max)");
      }
    }

    public boolean enabled() {
      return !topic.isEmpty();
    }

    @Override
    public String toString() {
      return "Ntfy[server=" + server + ", topic=" + (enabled() ? "[redacted]" : "") + ", priority=" + priority
          + ", tags=" + tags + ", accessToken=" + (accessToken.isEmpty() ? "" : "[redacted]") + "]";
    }
  }

  /**
   * A generic webhook, signed with HMAC-SHA256 (see {@link WebhookSignature}).
   *
   * @param secret the shared signing secret, at least 32 bytes; never logged nor sent
   */
  public record Webhook(@DefaultValue("") String url, @DefaultValue("") String secret) {

    public Webhook {
      if (!url.isEmpty()) {
        httpUrl("engine.notifications.webhook.url", url);
        if (secret.getBytes(StandardCharsets.UTF_8).length < 32) {
          throw new IllegalArgumentException("engine.notifications.webhook.secret must be at least 32 bytes "
              + "when a webhook url is configured (generate one, e.g. with: openssl rand -hex 32)");
        }
      }
    }

    public boolean enabled() {
      return !url.isEmpty();
    }

    @Override
    public String toString() {
      return "Webhook[url=" + (enabled() ? "[redacted]" : "") + ", secret=" + (secret.isEmpty() ? "" : "[redacted]")
          + "]";
    }
  }

  /** Refuses anything but an absolute http(s) URL; the message never repeats the value (it may hold a secret). */
  private static URI httpUrl(String property, String value) {
    try {
      URI uri = new URI(value);
      if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new IllegalArgumentException(property + " must be an absolute http(s) URL");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(property + " is not a valid URL");
    }
  }
}
