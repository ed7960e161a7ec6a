package dev.authoraization.web.approver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.approval.passkey.ActionChallenge;
import dev.authoraization.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * An approver page's nonce is spent once, even when two submissions of the page race on two
 * nodes that each read the same session (ADR 0016).
 */
class SpentNoncesTests {

  final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));

  @ParameterizedTest
  @MethodSource("dev.authoraization.support.TestDatabases#both")
  void aNonceIsSpentOnceAcrossNodes(DataSource db) {
    SpentNonces nodeA = new SpentNonces(JdbcClient.create(db), clock);
    SpentNonces nodeB = new SpentNonces(JdbcClient.create(db), clock);
    String nonce = ActionChallenge.newNonce();

    assertThat(nodeA.spend(nonce)).isTrue();
    assertThat(nodeB.spend(nonce)).isFalse();
    assertThat(nodeA.spend(nonce)).isFalse();
    assertThat(nodeB.spend(ActionChallenge.newNonce())).as("another page's").isTrue();
  }

  @ParameterizedTest
  @MethodSource("dev.authoraization.support.TestDatabases#both")
  void twentySubmissionsRacingWithOneNonceGetItOnce(DataSource db) {
    SpentNonces nonces = new SpentNonces(JdbcClient.create(db), clock);
    String nonce = ActionChallenge.newNonce();

    try (var pool = Executors.newFixedThreadPool(8)) {
      var spends = IntStream.range(0, 20)
          .mapToObj(i -> CompletableFuture.supplyAsync(() -> nonces.spend(nonce), pool)).toList();
      assertThat(spends.stream().map(CompletableFuture::join).filter(Boolean::booleanValue)).hasSize(1);
    }
  }

  @ParameterizedTest
  @MethodSource("dev.authoraization.support.TestDatabases#both")
  void spentNoncesAreDroppedAfterADayWhenNoSessionCanHoldThemAnyMore(DataSource db) {
    SpentNonces nonces = new SpentNonces(JdbcClient.create(db), clock);
    String old = ActionChallenge.newNonce();
    nonces.spend(old);
    clock.advance(SpentNonces.KEPT.plus(Duration.ofMinutes(1)));

    nonces.spend(ActionChallenge.newNonce());

    assertThat(JdbcClient.create(db).sql("SELECT count(*) FROM approver_page_nonce_spent WHERE nonce = ?").param(old)
        .query(Integer.class).single()).isZero();
  }
}
