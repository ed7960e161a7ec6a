package dev.authoraization.approval.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class NoticeTests {

  private static final List<String> SUMMARY = NotificationProperties.defaults().summaryArguments();

  @Test
  void noticeShowsWhoAsksWhatAndTheShortCodeAndTheLink() {
    var request = Requests.merge("canary-1");

    Notice notice = Notice.of(request, "https://engine.example.test/approvals/{id}", SUMMARY,
        Requests.NOW.plus(Duration.ofMinutes(1)));

    assertThat(notice.shortCode()).isEqualTo("AZ-" + request.fingerprint().hex().substring(0, 8).toUpperCase())
        .matches("AZ-[0-9A-F]{8}");
    assertThat(notice.text())
        .contains("alice (through agent chat-agent) asks to run github.merge_pull_request on octo/demo#12.")
        .contains("pull_number=12").contains("repo=demo").contains("merge_method=squash")
        .contains(notice.shortCode())
        .contains("Expires in 14 min")
        .contains("https://engine.example.test/approvals/4f1c2a9e-0000-4000-8000-000000000012");
  }

  @Test
  void noticeShowsOnlyAllowListedScalarArguments() {
    Notice notice = Notice.of(Requests.merge("canary-2"), "http://localhost:8080/approvals/{id}", SUMMARY,
        Requests.NOW);

    assertThat(notice.arguments()).containsOnlyKeys("owner", "repo", "pull_number", "merge_method", "base");
    assertThat(notice.text()).doesNotContain("canary-2").doesNotContain("commit_message").doesNotContain("extra");
  }

  @Test
  void noticeAfterExpiryShowsNoTimeLeft() {
    Notice notice = Notice.of(Requests.merge("c"), "http://localhost:8080/approvals/{id}", SUMMARY,
        Requests.NOW.plus(Duration.ofHours(1)));

    assertThat(notice.timeLeft()).isZero();
    assertThat(Notice.humanized(Duration.ofMinutes(65))).isEqualTo("1 h 5 min");
    assertThat(Notice.humanized(Duration.ofSeconds(40))).isEqualTo("40 s");
  }
}
