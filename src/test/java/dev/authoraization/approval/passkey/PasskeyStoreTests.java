package dev.authoraization.approval.passkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.authoraization.support.TestDatabases;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;

/** V6__passkeys.sql and its queries on H2 and PostgreSQL. */
class PasskeyStoreTests {

  static Stream<Named<DataSource>> databases() {
    return TestDatabases.both();
  }

  static Passkey passkey(String user, long counter) {
    return new Passkey(UUID.randomUUID().toString(), user, new byte[] {1, 2, 3, (byte) 0xff}, counter, true, false,
        false, Instant.now().truncatedTo(ChronoUnit.MILLIS));
  }

  @ParameterizedTest
  @MethodSource("databases")
  void storedPasskeysAreFoundByIdAndByTheirApproverOnly(DataSource db) {
    PasskeyStore store = new PasskeyStore(JdbcClient.create(db));
    Passkey mine = passkey("admin-" + UUID.randomUUID(), 0);
    store.insert(mine);
    store.insert(passkey("carol-" + UUID.randomUUID(), 0));

    assertThat(store.find(mine.credentialId())).hasValueSatisfying(found -> {
      assertThat(found.username()).isEqualTo(mine.username());
      assertThat(found.attestedCredentialData()).isEqualTo(mine.attestedCredentialData());
      assertThat(found.uvInitialized()).isTrue();
      assertThat(found.createdAt()).isEqualTo(mine.createdAt());
    });
    assertThat(store.of(mine.username())).extracting(Passkey::credentialId).containsExactly(mine.credentialId());
    assertThat(store.find("no-such-credential")).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("databases")
  void theCounterMovesOnlyFromTheValueThatWasRead(DataSource db) {
    PasskeyStore store = new PasskeyStore(JdbcClient.create(db));
    Passkey key = passkey("admin-" + UUID.randomUUID(), 4);
    store.insert(key);

    assertThat(store.advance(key.credentialId(), 4, 5, Instant.now())).isTrue();
    assertThat(store.advance(key.credentialId(), 4, 5, Instant.now())).as("a second use of the same reading").isFalse();
    assertThat(store.find(key.credentialId()).orElseThrow().signCount()).isEqualTo(5);
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aCredentialIsEnrolledOnce(DataSource db) {
    PasskeyStore store = new PasskeyStore(JdbcClient.create(db));
    Passkey key = passkey("admin-" + UUID.randomUUID(), 0);
    store.insert(key);

    assertThatThrownBy(() -> store.insert(key)).isInstanceOf(DuplicateKeyException.class);
  }
}
