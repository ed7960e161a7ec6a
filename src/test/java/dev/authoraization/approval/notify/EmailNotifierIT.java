package dev.authoraization.approval.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.authoraization.approval.ApprovalRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.mail.javamail.JavaMailSenderImpl;

/** E-mail against a real SMTP server (GreenMail) on a free port. */
class EmailNotifierIT {

  @RegisterExtension
  static final GreenMailExtension SMTP = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

  private final Clock clock = Clock.fixed(Requests.NOW, ZoneOffset.UTC);
  private final String canary = "canary-" + UUID.randomUUID();
  private final ApprovalRequest request = Requests.merge(canary);

  @Test
  void approversOfTheRequestedRoleReceiveTheSummaryAndTheLink() throws Exception {
    String secret = "canary-secret-" + WebhookSignatureTests.randomSecret();
    try (NotificationChannel channel = channel(new NotificationProperties.Email(Map.of(
        "approver", List.of("admin@example.test", "lead@example.test"),
        "auditor", List.of("auditor@example.test")), "engine@example.test", false), secret)) {

      channel.requested(request);

      // GreenMail keeps one copy per mailbox: two approvers, two copies of one message
      await().atMost(Duration.ofSeconds(10)).until(() -> SMTP.getReceivedMessages().length == 2);
    }
    MimeMessage mail = SMTP.getReceivedMessages()[0];
    assertThat(recipients(mail)).containsExactlyInAnyOrder("admin@example.test", "lead@example.test");
    assertThat(SMTP.getReceivedMessagesForDomain("auditor@example.test")).isEmpty();
    assertThat(((InternetAddress) mail.getFrom()[0]).getAddress()).isEqualTo("engine@example.test");
    Notice notice = Notice.of(request, "http://localhost:8080/approvals/{id}", List.of("pull_number"),
        Requests.NOW);
    assertThat(mail.getSubject()).isEqualTo(
        "Approval needed: github.merge_pull_request on octo/demo#12 (" + notice.shortCode() + ")");
    String body = GreenMailUtil.getBody(mail);
    assertThat(body)
        .contains("alice (through agent chat-agent) asks to run github.merge_pull_request on octo/demo#12.")
        .contains("pull_number=12")
        .contains(notice.shortCode())
        .contains("Expires in 15 min")
        .contains("http://localhost:8080/approvals/" + request.id())
        .doesNotContain(canary)
        .doesNotContain(secret);
  }

  @Test
  void htmlPartEscapesEveryValue() throws Exception {
    try (NotificationChannel channel = channel(new NotificationProperties.Email(Map.of(
        "approver", List.of("admin@example.test")), "engine@example.test", true), "")) {

      channel.requested(Requests.merge(canary, "<script>alert(1)</script>"));

      await().atMost(Duration.ofSeconds(10)).until(() -> SMTP.getReceivedMessages().length == 1);
    }
    MimeMessage mail = SMTP.getReceivedMessages()[0];
    assertThat(part(mail, "text/plain")).contains("base=<script>alert(1)</script>");
    assertThat(part(mail, "text/html")).contains("base=&lt;script&gt;alert(1)&lt;/script&gt;")
        .doesNotContain("<script>")
        .contains("<a href=\"http://localhost:8080/approvals/" + request.id() + "\">");
  }

  /** The first body part of this MIME type, at any depth. */
  private static String part(Part part, String type) throws Exception {
    if (part.isMimeType(type)) {
      return (String) part.getContent();
    }
    if (part.getContent() instanceof Multipart multipart) {
      for (int i = 0; i < multipart.getCount(); i++) {
        String found = part(multipart.getBodyPart(i), type);
        if (!found.isEmpty()) {
          return found;
        }
      }
    }
    return "";
  }

  private NotificationChannel channel(NotificationProperties.Email email, String webhookSecret) {
    JavaMailSenderImpl sender = new JavaMailSenderImpl();
    sender.setHost("127.0.0.1");
    sender.setPort(SMTP.getSmtp().getPort());
    NotificationProperties properties = NotificationProperties.defaults().withEmail(email)
        .withRetry(new NotificationProperties.Retry(2, Duration.ofMillis(5), 2.0));
    return new NotificationChannel(NotificationConfiguration.notifiers(properties, sender, clock), properties,
        new SimpleMeterRegistry(), clock);
  }

  private static List<String> recipients(MimeMessage mail) {
    try {
      return Arrays.stream(mail.getAllRecipients()).map(a -> ((InternetAddress) a).getAddress()).toList();
    } catch (jakarta.mail.MessagingException e) {
      throw new IllegalStateException(e);
    }
  }
}
