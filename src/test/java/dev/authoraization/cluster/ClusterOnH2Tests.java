package dev.authoraization.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.approval.ApprovalState;
import dev.authoraization.support.FakeTools;
import dev.authoraization.support.TestDatabases;
import org.junit.jupiter.api.Test;

/** On H2 the engine is one node: no NOTIFY, no LISTEN connection, no re-check. */
class ClusterOnH2Tests {

  @Test
  void onH2NothingIsBroadcastAndNothingListens() {
    try (ClusterNode node = new ClusterNode(TestDatabases.h2(), new FakeTools())) {
      assertThat(node.notify.severalNodes()).isFalse();
      node.notify.changed("any", ApprovalState.APPROVED); // a no-op, not a failed SQL call

      node.listener.start();

      assertThat(node.listener.isRunning()).isFalse();
      assertThat(node.recheck.runUnclaimed()).isZero();
    }
  }
}
