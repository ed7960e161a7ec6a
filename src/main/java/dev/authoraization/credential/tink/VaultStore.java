package dev.authoraization.credential.tink;

import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.credential.SecretKind;
import dev.authoraization.credential.StoredSecrets;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The built-in vault's rows ({@code vault_credential}): each secret encrypted with Tink AEAD
 * (AES256-GCM) under {@link VaultKeyset}. The associated data is the row's identity (id, owner,
 * kind), so a ciphertext copied to another row, owner or kind does not decrypt. A value that does
 * not decrypt fails closed with a message naming the entry, never the bytes.
 */
public final class VaultStore implements StoredSecrets {

  private static final byte[] CONTEXT = "authoraization-vault/v1".getBytes(StandardCharsets.UTF_8);
  private static final int TINK_PREFIX = 5;

  private final JdbcTemplate jdbc;
  private final TransactionTemplate transactions;
  private final VaultKeyset keyset;
  private final Clock clock;

  /** One stored entry, without its value. */
  public record Entry(String id, String owner, String kind, long keyId, Instant createdAt, Instant rotatedAt) {}

  /** What a rotation pass did: rows moved to the primary key, and entries that could not be read. */
  public record Reencrypted(int rows, List<String> unreadable) {}

  public VaultStore(DataSource dataSource, VaultKeyset keyset, Clock clock) {
    this.jdbc = new JdbcTemplate(dataSource);
    this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    this.keyset = keyset;
    this.clock = clock;
  }

  /** Stores (or replaces) a secret. */
  public void put(String id, String owner, SecretKind kind, String secret) {
    check(id, "id", 200);
    check(owner, "owner", 500);
    if (secret.isEmpty()) {
      throw new IllegalArgumentException("The secret for '" + id + "' is empty; nothing was stored.");
    }
    byte[] plaintext = secret.getBytes(StandardCharsets.UTF_8);
    byte[] ciphertext;
    try {
      ciphertext = keyset.aead().encrypt(plaintext, associatedData(id, owner, kind));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("The vault could not encrypt '" + id + "' (" + e.getClass().getSimpleName() + ").");
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
    Timestamp now = Timestamp.from(clock.instant());
    long keyId = keyIdOf(ciphertext);
    transactions.executeWithoutResult(status -> {
      int updated = jdbc.update("UPDATE vault_credential SET kind = ?, ciphertext = ?, key_id = ?, rotated_at = ? "
          + "WHERE id = ? AND owner = ?", kind.id(), ciphertext, keyId, now, id, owner);
      if (updated == 0) {
        jdbc.update("INSERT INTO vault_credential (id, owner, kind, ciphertext, key_id, created_at, rotated_at) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?)", id, owner, kind.id(), ciphertext, keyId, now, now);
      }
    });
  }

  @Override
  public Optional<String> find(String id, String owner, SecretKind kind) {
    List<Sealed> rows = jdbc.query("SELECT ciphertext, key_id FROM vault_credential WHERE id = ? AND owner = ? AND kind = ?",
        (rs, n) -> new Sealed(rs.getBytes(1), rs.getLong(2)), id, owner, kind.id());
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    byte[] plaintext = open(rows.getFirst(), id, owner, kind);
    try {
      return Optional.of(new String(plaintext, StandardCharsets.UTF_8));
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /** Removes an entry; returns whether there was one. */
  public boolean remove(String id, String owner) {
    return jdbc.update("DELETE FROM vault_credential WHERE id = ? AND owner = ?", id, owner) > 0;
  }

  public List<Entry> list() {
    return jdbc.query("SELECT id, owner, kind, key_id, created_at, rotated_at FROM vault_credential ORDER BY owner, id",
        (rs, n) -> new Entry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
            rs.getTimestamp(5).toInstant(), rs.getTimestamp(6).toInstant()));
  }

  /** How many credentials the vault in {@code dataSource} holds, under any key (read before a keyset is opened). */
  public static long sealed(DataSource dataSource) {
    return Objects.requireNonNull(
        new JdbcTemplate(dataSource).queryForObject("SELECT count(*) FROM vault_credential", Long.class));
  }

  /** How many entries are still encrypted under the key. */
  public long countUnder(long keyId) {
    return Objects.requireNonNull(jdbc.queryForObject("SELECT count(*) FROM vault_credential WHERE key_id = ?", Long.class, keyId));
  }

  /**
   * Re-encrypts every entry that is not under the primary key, {@code batchSize} rows per
   * transaction. Each row is replaced only if nobody changed it meanwhile (compare-and-set on the
   * ciphertext), so a concurrent {@code put} is never overwritten with the older value. Readers
   * are never blocked: during and after the pass both keys decrypt.
   */
  public Reencrypted reencrypt(int batchSize) {
    long primary = keyset.primaryKeyId();
    int moved = 0;
    List<String> unreadable = new ArrayList<>();
    String afterId = "";
    String afterOwner = "";
    while (true) {
      List<Row> batch = jdbc.query("SELECT id, owner, kind, ciphertext, key_id FROM vault_credential "
              + "WHERE key_id <> ? AND (id > ? OR (id = ? AND owner > ?)) ORDER BY id, owner LIMIT ?",
          (rs, n) -> new Row(rs.getString(1), rs.getString(2), rs.getString(3), new Sealed(rs.getBytes(4), rs.getLong(5))),
          primary, afterId, afterId, afterOwner, batchSize);
      if (batch.isEmpty()) {
        return new Reencrypted(moved, List.copyOf(unreadable));
      }
      Integer done = transactions.execute(status -> {
        int count = 0;
        for (Row row : batch) {
          Optional<SecretKind> kind = SecretKind.of(row.kind());
          byte[] plaintext;
          try {
            plaintext = open(row.sealed(), row.id(), row.owner(), kind.orElseThrow(() ->
                new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE, "unknown kind " + row.kind())));
          } catch (GatewayException e) {
            unreadable.add(row.owner() + "/" + row.id());
            continue;
          }
          try {
            byte[] ciphertext = keyset.aead().encrypt(plaintext, associatedData(row.id(), row.owner(), kind.get()));
            count += jdbc.update("UPDATE vault_credential SET ciphertext = ?, key_id = ?, rotated_at = ? "
                    + "WHERE id = ? AND owner = ? AND ciphertext = ?", ciphertext, keyIdOf(ciphertext),
                Timestamp.from(clock.instant()), row.id(), row.owner(), row.sealed().ciphertext());
          } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The vault could not re-encrypt " + row.owner() + "/" + row.id()
                + " (" + e.getClass().getSimpleName() + ").");
          } finally {
            Arrays.fill(plaintext, (byte) 0);
          }
        }
        return count;
      });
      moved += done == null ? 0 : done;
      Row last = batch.getLast();
      afterId = last.id();
      afterOwner = last.owner();
    }
  }

  private record Sealed(byte[] ciphertext, long keyId) {}

  private record Row(String id, String owner, String kind, Sealed sealed) {}

  private byte[] open(Sealed sealed, String id, String owner, SecretKind kind) {
    byte[] associated = associatedData(id, owner, kind);
    try {
      return keyset.aead().decrypt(sealed.ciphertext(), associated);
    } catch (GeneralSecurityException first) {
      // Another process (vault rotate) may have added the key this row is under: re-read the keyset once.
      if (keyset.reload()) {
        try {
          return keyset.aead().decrypt(sealed.ciphertext(), associated);
        } catch (GeneralSecurityException second) {
          // fall through to the refusal below
        }
      }
      throw new GatewayException(ErrorCode.CREDENTIAL_UNAVAILABLE, "The vault entry '" + id + "' (" + kind.id()
          + ") of " + owner + " could not be decrypted: it was altered, copied from another entry, or is under a key "
          + "(" + (sealed.ciphertext().length >= TINK_PREFIX ? keyIdOf(sealed.ciphertext()) : sealed.keyId())
          + ") this keyset does not hold or has disabled. Store it again with `vault put`.");
    }
  }

  /** The row's identity, each field length-prefixed so that no two identities encode alike. */
  static byte[] associatedData(String id, String owner, SecretKind kind) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] field : List.of(CONTEXT, id.getBytes(StandardCharsets.UTF_8), owner.getBytes(StandardCharsets.UTF_8),
        kind.id().getBytes(StandardCharsets.UTF_8))) {
      out.writeBytes(ByteBuffer.allocate(4).putInt(field.length).array());
      out.writeBytes(field);
    }
    return out.toByteArray();
  }

  /** Tink's ciphertext starts with a version byte and the 4-byte id of the key that made it. */
  static long keyIdOf(byte[] ciphertext) {
    if (ciphertext.length < TINK_PREFIX) {
      throw new IllegalStateException("not a Tink ciphertext");
    }
    return Integer.toUnsignedLong(ByteBuffer.wrap(ciphertext, 1, 4).getInt());
  }

  private static void check(String value, String name, int max) {
    if (value.isBlank() || value.length() > max || value.chars().anyMatch(c -> c < 0x20)) {
      throw new IllegalArgumentException("The " + name + " must be 1 to " + max + " printable characters.");
    }
  }

  @Override
  public String toString() {
    return "VaultStore[" + keyset + "]";
  }
}
