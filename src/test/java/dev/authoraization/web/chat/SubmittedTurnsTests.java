package dev.authoraization.web.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.call.Caller;
import dev.authoraization.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A chat turn waits in the database between its POST and its stream, so the stream may reach any
 * node: taken once, by its owner only, while fresh.
 */
class SubmittedTurnsTests {

  static final Caller ALICE = Caller.of("alice", "https://issuer.test", Set.of("developer"));
  static final Caller MALLORY = Caller.of("mallory", "https://issuer.test", Set.of("developer"));
  static final Caller ALICE_ELSEWHERE = Caller.of("alice", "https://other-issuer.test", Set.of("developer"));

  final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));

  @ParameterizedTest
  @MethodSource("dev.authoraization.support.TestDatabases#both")
  void aTurnPutOnOneNodeIsTakenOnAnotherOnceAndOnlyByItsOwner(DataSource db) {
    SubmittedTurns nodeA = new SubmittedTurns(JdbcClient.create(db), clock);
    SubmittedTurns nodeB = new SubmittedTurns(JdbcClient.create(db), clock);
    String id = nodeA.put("c-1", ALICE, Optional.of("list my repositories"));

    assertThat(nodeB.take(id, MALLORY)).as("someone else's").isEmpty();
    assertThat(nodeB.take(id, ALICE_ELSEWHERE)).as("same subject, other issuer").isEmpty();
    assertThat(nodeB.take(id, ALICE)).contains(new SubmittedTurns.Submitted("c-1", Optional.of("list my repositories")));
    assertThat(nodeA.take(id, ALICE)).as("taken already").isEmpty();
    assertThat(nodeB.take("not-a-turn", ALICE)).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("dev.authoraization.support.TestDatabases#both")
  void aTurnToFollowAPausedRunCarriesNoMessage(DataSource db) {
    SubmittedTurns turns = new SubmittedTurns(JdbcClient.create(db), clock);

    String id = turns.put("c-2", ALICE, Optional.empty());

    assertThat(turns.take(id, ALICE)).contains(new SubmittedTurns.Submitted("c-2", Optional.empty()));
  }

  @ParameterizedTest
  @MethodSource("dev.authoraization.support.TestDatabases#both")
  void aTurnNobodyTookInTwoMinutesIsGoneAndIsDroppedByTheNextPut(DataSource db) {
    SubmittedTurns turns = new SubmittedTurns(JdbcClient.create(db), clock);
    String stale = turns.put("c-3", ALICE, Optional.of("hello"));
    clock.advance(SubmittedTurns.UNCLAIMED.plus(Duration.ofSeconds(1)));

    assertThat(turns.take(stale, ALICE)).isEmpty();
    turns.put("c-3", ALICE, Optional.of("again"));
    assertThat(JdbcClient.create(db).sql("SELECT count(*) FROM chat_turn WHERE id = ?").param(stale)
        .query(Integer.class).single()).isZero();
  }

  @ParameterizedTest
  @MethodSource("dev.authoraization.support.TestDatabases#both")
  void twentyStreamsRacingForOneTurnRunItOnce(DataSource db) throws Exception {
    SubmittedTurns turns = new SubmittedTurns(JdbcClient.create(db), clock);
    String id = turns.put("c-4", ALICE, Optional.of("merge it"));

    try (var pool = Executors.newFixedThreadPool(8)) {
      var takes = IntStream.range(0, 20)
          .mapToObj(i -> CompletableFuture.supplyAsync(() -> turns.take(id, ALICE), pool)).toList();
      assertThat(takes.stream().map(CompletableFuture::join).filter(Optional::isPresent)).hasSize(1);
    }
  }
}
