package dev.authoraization.web.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.agent.Conversation.StoredMessage;
import dev.authoraization.agent.Conversation.StoredResponse;
import dev.authoraization.agent.ToolEnvelope;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatViewsTests {

  private static List<ChatViews.Table> tablesOf(String result) {
    StoredMessage tool = new StoredMessage("tool", "", List.of(),
        List.of(new StoredResponse("call-1", "list_pull_requests", ToolEnvelope.data("list_pull_requests", result, 64_000))));
    return ChatViews.tables(List.of(tool), 0);
  }

  @Test
  void pullRequestRowsCarryTheirChecksInWordsAndForScreenReaders() {
    List<ChatViews.Table> tables = tablesOf("""
        {"pull_requests": [
          {"number": 7, "title": "Fix login redirect", "state": "open", "author": "bob", "head_ref": "fix", "base_ref": "main",
           "checks": {"state": "success", "total": 2, "summary": "2 of 2 passed"}},
          {"number": 8, "title": "Rework config", "state": "open", "author": "carol", "head_ref": "rework", "base_ref": "main",
           "checks": {"state": "failure", "total": 2, "summary": "1 of 2 passed"}},
          {"number": 9, "title": "New", "state": "open", "author": "alice", "head_ref": "n", "base_ref": "main",
           "checks": {"state": "pending", "total": 1, "summary": "0 of 1 passed"}},
          {"number": 10, "title": "Quiet", "state": "open", "author": "alice", "head_ref": "q", "base_ref": "main",
           "checks": {"state": "none", "total": 0, "summary": "No checks reported."}},
          {"number": 11, "title": "Unread", "state": "open", "author": "alice", "head_ref": "u", "base_ref": "main",
           "checks": {"state": "unavailable", "total": 0, "summary": "GitHub did not return the checks (rate_limited)."}},
          {"number": 12, "title": "Older engine", "state": "open", "author": "alice", "head_ref": "o", "base_ref": "main"}
        ], "count": 6, "truncated": false}""");

    assertThat(tables).singleElement().satisfies(table -> {
      assertThat(table.kind()).isEqualTo("pulls");
      assertThat(table.rows()).extracting(row -> row.checks().text())
          .containsExactly("passing", "failing", "pending", "none", "unknown", "none");
      assertThat(table.rows()).extracting(row -> row.checks().label()).containsExactly(
          "Checks passing: 2 of 2 passed", "Checks failing: 1 of 2 passed", "Checks pending: 0 of 1 passed",
          "No checks reported", "Checks unknown: GitHub did not return the checks (rate_limited).", "No checks reported");
      assertThat(table.rows()).extracting(row -> row.checks().tone())
          .containsExactly("ok", "bad", "wait", "none", "none", "none");
    });
  }

  @Test
  void issueRowsHaveNoChecks() {
    List<ChatViews.Table> tables = tablesOf("""
        {"issues": [{"number": 1, "title": "Bug", "state": "open", "labels": ["bug"], "author": "alice"}],
         "count": 1, "truncated": false}""");

    assertThat(tables.getFirst().rows().getFirst().checks()).isEqualTo(ChatViews.Checks.NONE);
  }
}
