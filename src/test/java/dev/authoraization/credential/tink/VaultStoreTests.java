package dev.authoraization.credential.tink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.credential.SecretKind;
import dev.authoraization.credential.StoredSecrets;
import dev.authoraization.credential.githubapp.TestAppKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.JdbcTemplate;

/** The built-in vault's store on H2 (the embedded default) and on a real PostgreSQL. */
class VaultStoreTests {

  static final String BOTH = "dev.authoraization.support.TestDatabases#both";
  static final String ALICE = "https://idp.example#alice";
  static final String BOB = "https://idp.example#bob";

  @TempDir
  Path dir;

  private VaultStore store(DataSource ds, String keysetName) {
    return new VaultStore(ds, VaultKeyset.open(dir.resolve(keysetName), Map.of()), Clock.systemUTC());
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void aLostKeysetFileIsNotMadeAnewWhileTheVaultHoldsCredentialsSealedWithIt(DataSource ds) throws Exception {
    Path file = dir.resolve("lost-keyset.json");
    store(ds, "lost-keyset.json").put("github", ALICE, SecretKind.LINKED_TOKEN, canary());
    Files.delete(file); // a volume that was not mounted, a restore that forgot it

    assertThatThrownBy(() -> VaultKeyset.open(file, Map.of(), () -> VaultStore.sealed(ds)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("vault keyset file " + file.toAbsolutePath() + " is missing")
        .hasMessageContaining("holds 1 credential(s)")
        .hasMessageContaining("Restore the keyset file");
    assertThat(file).doesNotExist();
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void anEmptyVaultGetsANewKeysetFileAtItsFirstStart(DataSource ds) {
    Path file = dir.resolve("first-keyset.json");

    VaultKeyset.open(file, Map.of(), () -> VaultStore.sealed(ds));

    assertThat(file).exists();
  }

  private static String canary() {
    return "canary-vault-" + UUID.randomUUID();
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void storedSecretsReadBackForTheirIdOwnerAndKindOnly(DataSource ds) {
    VaultStore store = store(ds, "keyset.json");
    String token = canary();
    String pem = TestAppKey.pkcs8Pem();

    store.put("github", ALICE, SecretKind.LINKED_TOKEN, token);
    store.put("github-app", StoredSecrets.SERVICE, SecretKind.GITHUB_APP_KEY, pem);

    assertThat(store.find("github", ALICE, SecretKind.LINKED_TOKEN)).contains(token);
    assertThat(store.find("github-app", StoredSecrets.SERVICE, SecretKind.GITHUB_APP_KEY)).contains(pem);
    assertThat(store.find("github", BOB, SecretKind.LINKED_TOKEN)).isEmpty();
    assertThat(store.find("github", ALICE, SecretKind.PAT)).isEmpty();
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void putReplacesTheValueOfAnExistingEntry(DataSource ds) {
    VaultStore store = store(ds, "keyset.json");
    store.put("github-pat", StoredSecrets.SERVICE, SecretKind.PAT, "first");

    store.put("github-pat", StoredSecrets.SERVICE, SecretKind.PAT, "second");

    assertThat(store.find("github-pat", StoredSecrets.SERVICE, SecretKind.PAT)).contains("second");
    assertThat(store.list()).hasSize(1);
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void theDatabaseAloneHoldsNoPlaintextAndDecryptsWithNoOtherKeyset(DataSource ds) {
    VaultStore store = store(ds, "keyset.json");
    String token = canary();
    store.put("github", ALICE, SecretKind.LINKED_TOKEN, token);
    store.put("github-pat", StoredSecrets.SERVICE, SecretKind.PAT, token + "-pat");

    String dump = everyByteOfEveryTable(ds);
    assertThat(dump).contains("github-pat"); // the scan reads the vault's rows
    for (String encoding : List.of(token, HexFormat.of().formatHex(token.getBytes(StandardCharsets.UTF_8)),
        java.util.Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8)))) {
      assertThat(dump).doesNotContain(encoding);
    }

    VaultStore thief = store(ds, "another-keyset.json");
    assertThatThrownBy(() -> thief.find("github", ALICE, SecretKind.LINKED_TOKEN))
        .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_UNAVAILABLE))
        .hasMessageNotContaining(token);
    assertThatThrownBy(() -> thief.find("github-pat", StoredSecrets.SERVICE, SecretKind.PAT)).isInstanceOf(GatewayException.class);
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void tamperedCiphertextFailsClosedWithoutPlaintextOrCause(DataSource ds) {
    VaultStore store = store(ds, "keyset.json");
    String token = canary();
    store.put("github", ALICE, SecretKind.LINKED_TOKEN, token);
    JdbcTemplate jdbc = new JdbcTemplate(ds);
    byte[] ciphertext = jdbc.queryForObject("SELECT ciphertext FROM vault_credential WHERE owner = ?", byte[].class, ALICE);
    ciphertext[ciphertext.length - 1] ^= 0x01;
    jdbc.update("UPDATE vault_credential SET ciphertext = ? WHERE owner = ?", ciphertext, ALICE);

    assertThatThrownBy(() -> store.find("github", ALICE, SecretKind.LINKED_TOKEN))
        .isInstanceOfSatisfying(GatewayException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_UNAVAILABLE);
          assertThat(e.getCause()).isNull();
          assertThat(e.getMessage()).contains("'github'").contains(ALICE).contains("could not be decrypted")
              .doesNotContain(token).doesNotContain(HexFormat.of().formatHex(ciphertext));
        });
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void ciphertextSwappedBetweenOwnersDecryptsForNeither(DataSource ds) {
    VaultStore store = store(ds, "keyset.json");
    String alices = canary();
    String bobs = canary();
    store.put("github", ALICE, SecretKind.LINKED_TOKEN, alices);
    store.put("github", BOB, SecretKind.LINKED_TOKEN, bobs);
    JdbcTemplate jdbc = new JdbcTemplate(ds);
    byte[] a = jdbc.queryForObject("SELECT ciphertext FROM vault_credential WHERE owner = ?", byte[].class, ALICE);
    byte[] b = jdbc.queryForObject("SELECT ciphertext FROM vault_credential WHERE owner = ?", byte[].class, BOB);

    // a thief with write access gives Bob's row Alice's ciphertext, and the reverse
    jdbc.update("UPDATE vault_credential SET ciphertext = ? WHERE owner = ?", a, BOB);
    jdbc.update("UPDATE vault_credential SET ciphertext = ? WHERE owner = ?", b, ALICE);

    assertThatThrownBy(() -> store.find("github", BOB, SecretKind.LINKED_TOKEN))
        .isInstanceOf(GatewayException.class).hasMessageNotContaining(alices).hasMessageNotContaining(bobs);
    assertThatThrownBy(() -> store.find("github", ALICE, SecretKind.LINKED_TOKEN))
        .isInstanceOf(GatewayException.class).hasMessageNotContaining(alices).hasMessageNotContaining(bobs);
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void rowMovedToAnotherOwnerIdOrKindDoesNotDecrypt(DataSource ds) {
    VaultStore store = store(ds, "keyset.json");
    store.put("github-pat", StoredSecrets.SERVICE, SecretKind.PAT, canary());
    JdbcTemplate jdbc = new JdbcTemplate(ds);

    // the service PAT re-labelled as Alice's linked token, then as another service entry, then as an App key
    jdbc.update("UPDATE vault_credential SET owner = ?, kind = ?, id = ?", ALICE, "linked-token", "github");
    assertThatThrownBy(() -> store.find("github", ALICE, SecretKind.LINKED_TOKEN)).isInstanceOf(GatewayException.class);
    jdbc.update("UPDATE vault_credential SET owner = ?, kind = ?, id = ?", StoredSecrets.SERVICE, "pat", "other-pat");
    assertThatThrownBy(() -> store.find("other-pat", StoredSecrets.SERVICE, SecretKind.PAT)).isInstanceOf(GatewayException.class);
    jdbc.update("UPDATE vault_credential SET kind = ?, id = ?", "github-app-key", "github-pat");
    assertThatThrownBy(() -> store.find("github-pat", StoredSecrets.SERVICE, SecretKind.GITHUB_APP_KEY))
        .isInstanceOf(GatewayException.class);
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void rotationReEncryptsEveryRowInBatchesAndOldAndNewReadsWork(DataSource ds) {
    VaultStore store = store(ds, "keyset.json");
    VaultKeyset keyset = VaultKeyset.open(dir.resolve("keyset.json"), Map.of());
    VaultStore rotating = new VaultStore(ds, keyset, Clock.systemUTC());
    long old = keyset.primaryKeyId();
    Map<String, String> secrets = new java.util.TreeMap<>();
    for (int i = 0; i < 7; i++) {
      String owner = "https://idp.example#user" + i;
      secrets.put(owner, canary());
      store.put("github", owner, SecretKind.LINKED_TOKEN, secrets.get(owner));
    }

    long fresh = keyset.rotate();
    // between adding the key and re-encrypting: rows under the old key still read, new writes use the new key
    rotating.put("github", "https://idp.example#late", SecretKind.LINKED_TOKEN, "late-" + secrets.get("https://idp.example#user0"));
    assertThat(rotating.find("github", "https://idp.example#user3", SecretKind.LINKED_TOKEN)).contains(secrets.get("https://idp.example#user3"));
    VaultStore.Reencrypted result = rotating.reencrypt(3);

    assertThat(result).isEqualTo(new VaultStore.Reencrypted(7, List.of()));
    assertThat(rotating.countUnder(old)).isZero();
    assertThat(rotating.countUnder(fresh)).isEqualTo(8);
    assertThat(store.list()).allSatisfy(entry -> assertThat(entry.keyId()).isEqualTo(fresh));
    // the engine's store, opened before the rotation, reads the re-encrypted rows (it re-reads the keyset file)
    secrets.forEach((owner, secret) -> assertThat(store.find("github", owner, SecretKind.LINKED_TOKEN)).contains(secret));
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void disablingTheOldKeyAfterRotationLeavesEveryEntryReadable(DataSource ds) {
    VaultKeyset keyset = VaultKeyset.open(dir.resolve("keyset.json"), Map.of());
    VaultStore store = new VaultStore(ds, keyset, Clock.systemUTC());
    String secret = canary();
    store.put("github-pat", StoredSecrets.SERVICE, SecretKind.PAT, secret);
    byte[] before = new JdbcTemplate(ds).queryForObject("SELECT ciphertext FROM vault_credential", byte[].class);
    long old = keyset.primaryKeyId();

    keyset.rotate();
    store.reencrypt(100);
    keyset.disable(old);

    assertThat(store.find("github-pat", StoredSecrets.SERVICE, SecretKind.PAT)).contains(secret);
    // a backup of the row from before the rotation no longer opens: the key it was under is disabled
    new JdbcTemplate(ds).update("UPDATE vault_credential SET ciphertext = ?", before);
    assertThatThrownBy(() -> store.find("github-pat", StoredSecrets.SERVICE, SecretKind.PAT))
        .isInstanceOf(GatewayException.class).hasMessageContaining("key (" + old + ")");
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void rotationReportsAnAlteredRowAndLeavesItAlone(DataSource ds) {
    VaultKeyset keyset = VaultKeyset.open(dir.resolve("keyset.json"), Map.of());
    VaultStore store = new VaultStore(ds, keyset, Clock.systemUTC());
    store.put("github", ALICE, SecretKind.LINKED_TOKEN, canary());
    store.put("github", BOB, SecretKind.LINKED_TOKEN, canary());
    new JdbcTemplate(ds).update("UPDATE vault_credential SET kind = 'pat' WHERE owner = ?", BOB);

    keyset.rotate();
    VaultStore.Reencrypted result = store.reencrypt(1);

    assertThat(result).isEqualTo(new VaultStore.Reencrypted(1, List.of(BOB + "/github")));
  }

  @ParameterizedTest
  @MethodSource(BOTH)
  void emptyOrUnprintableInputIsRefused(DataSource ds) {
    VaultStore store = store(ds, "keyset.json");

    assertThatThrownBy(() -> store.put("github", ALICE, SecretKind.LINKED_TOKEN, "")).hasMessageContaining("empty");
    assertThatThrownBy(() -> store.put("git\nhub", ALICE, SecretKind.LINKED_TOKEN, "x")).hasMessageContaining("printable");
    assertThat(store.find("missing", ALICE, SecretKind.LINKED_TOKEN)).isEqualTo(Optional.empty());
  }

  /** Every value of every table as a thief with a database copy would read it. */
  static String everyByteOfEveryTable(DataSource ds) {
    JdbcTemplate jdbc = new JdbcTemplate(ds);
    StringBuilder all = new StringBuilder();
    List<String> tables = jdbc.queryForList(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'", String.class);
    assertThat(tables).contains("vault_credential");
    for (String table : tables) {
      for (Map<String, Object> row : jdbc.queryForList("SELECT * FROM \"" + table + "\"")) {
        row.values().forEach(value -> all.append(value instanceof byte[] bytes
            ? new String(bytes, StandardCharsets.ISO_8859_1) + " " + HexFormat.of().formatHex(bytes)
            : String.valueOf(value)).append('\n'));
      }
    }
    return all.toString();
  }
}
