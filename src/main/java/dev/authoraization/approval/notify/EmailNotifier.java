package dev.authoraization.approval.notify;

import jakarta.mail.internet.MimeMessage;
import java.util.List;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.MimeMessageHelper;
import org.springframework.web.util.HtmlUtils;

/**
 * Mails the approvers of a request over SMTP, to the addresses configured for the request's approver
 * roles: plain text, and optionally a simple HTML alternative (RFC 2046 multipart/alternative) in
 * which every value is HTML-escaped.
 */
public final class EmailNotifier implements Notifier {

  private final JavaMailSender mail;
  private final NotificationProperties.Email email;

  EmailNotifier(JavaMailSender mail, NotificationProperties.Email email) {
    this.mail = mail;
    this.email = email;
  }

  @Override
  public String name() {
    return "email";
  }

  @Override
  public void send(Notice notice) throws Exception {
    List<String> to = email.recipientsFor(notice.approverRoles());
    if (to.isEmpty()) {
      // nobody configured for these roles: nothing to retry
      return;
    }
    MimeMessage message = mail.createMimeMessage();
    MimeMessageHelper helper = new MimeMessageHelper(message, email.html(), "UTF-8");
    helper.setFrom(email.from());
    helper.setTo(to.toArray(String[]::new));
    helper.setSubject(notice.title());
    if (email.html()) {
      helper.setText(notice.text(), html(notice));
    } else {
      helper.setText(notice.text());
    }
    mail.send(message);
  }

  static String html(Notice notice) {
    StringBuilder html = new StringBuilder("<!DOCTYPE html><html><body>");
    html.append("<h2>").append(HtmlUtils.htmlEscape(notice.title())).append("</h2>");
    for (String line : notice.text().split("\n")) {
      html.append("<p>").append(HtmlUtils.htmlEscape(line)).append("</p>");
    }
    html.append("<p><a href=\"").append(HtmlUtils.htmlEscape(notice.approverUrl())).append("\">")
        .append("Open the approver page</a></p></body></html>");
    return html.toString();
  }
}
