package dev.authoraization.credential.tink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.credential.SecretKind;
import dev.authoraization.credential.StoredSecrets;
import dev.authoraization.support.TestDatabases;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vault ...} as started from {@code main}: its own small Spring context (database, keyset), no web. */
class VaultCommandIT {

  @TempDir
  Path dir;

  final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

  private String url() {
    return "jdbc:h2:file:" + dir.resolve("engine") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
  }

  private int vault(InputStream in, String... words) {
    List<String> args = new ArrayList<>(List.of("vault"));
    args.addAll(List.of(words));
    args.add("--spring.datasource.url=" + url());
    args.add("--engine.vault.keyset-path=" + dir.resolve("vault-keyset.json"));
    printed.reset();
    return VaultCommand.run(args.toArray(String[]::new), in, out);
  }

  private int vault(String... words) {
    return vault(InputStream.nullInputStream(), words);
  }

  private String printed() {
    return printed.toString(StandardCharsets.UTF_8);
  }

  private VaultStore store() {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL(url());
    ds.setUser("engine"); // as application.yml, which the command reads
    return new VaultStore(ds, VaultKeyset.open(dir.resolve("vault-keyset.json"), Map.of()), Clock.systemUTC());
  }

  @Test
  void putFromAFileAndFromStdinStoresEncryptedAndNeverPrintsTheSecret() throws Exception {
    String pat = "ghp_canary" + UUID.randomUUID().toString().replace("-", "");
    String linked = "gho_canary" + UUID.randomUUID().toString().replace("-", "");
    Path file = Files.writeString(dir.resolve("pat.txt"), pat + "\n");

    assertThat(vault("put", "--id", "github-pat", "--kind", "pat", "--from-file", file.toString())).isZero();
    assertThat(printed()).startsWith("stored github-pat (pat) for service, encrypted under key ").doesNotContain(pat);
    assertThat(vault(new ByteArrayInputStream(linked.getBytes(StandardCharsets.UTF_8)),
        "put", "--id=github", "--kind=linked-token", "--owner", "https://idp.example#alice", "--from-stdin")).isZero();
    assertThat(vault("list")).isZero();
    assertThat(printed()).contains("service  github-pat  pat  key ").contains("https://idp.example#alice  github  linked-token  key ")
        .contains("2 entries").doesNotContain(pat).doesNotContain(linked);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("vault-keyset.json")))).isEqualTo("rw-------");
    VaultStore store = store();
    assertThat(store.find("github-pat", StoredSecrets.SERVICE, SecretKind.PAT)).contains(pat);
    assertThat(store.find("github", "https://idp.example#alice", SecretKind.LINKED_TOKEN)).contains(linked);
  }

  @Test
  void putRefusesASecretWithoutAFileOrStdinAndAnUnknownKind() {
    assertThat(vault("put", "--id", "github-pat", "--kind", "pat")).isEqualTo(VaultCommand.FAILED);
    assertThat(printed()).contains("exactly one of --from-file FILE or --from-stdin");
    assertThat(vault("put", "--id", "x", "--kind", "password", "--from-stdin")).isEqualTo(VaultCommand.FAILED);
    assertThat(printed()).contains("--kind must be one of github-app-key, pat, linked-token");
    assertThat(vault("frobnicate")).isEqualTo(VaultCommand.FAILED);
    assertThat(printed()).contains("usage: vault put");
  }

  @Test
  void rotateReEncryptsEverythingThenDisablesTheOldKeyAndEveryEntryStillReads() {
    for (int i = 0; i < 3; i++) {
      vault(new ByteArrayInputStream(("token-" + i).getBytes(StandardCharsets.UTF_8)),
          "put", "--id", "github", "--kind", "linked-token", "--owner", "https://idp.example#user" + i, "--from-stdin");
    }
    VaultStore engine = store(); // a running node, opened before the rotation
    long old = VaultKeyset.open(dir.resolve("vault-keyset.json"), Map.of()).primaryKeyId();

    assertThat(vault("rotate", "--disable-old")).as(this::printed).isZero();

    VaultKeyset after = VaultKeyset.open(dir.resolve("vault-keyset.json"), Map.of());
    assertThat(printed()).contains("new primary key " + after.primaryKeyId() + " added to ")
        .contains("re-encrypted 3 entries under key " + after.primaryKeyId())
        .contains("key " + old + " disabled");
    assertThat(after.keys()).contains(new VaultKeyset.KeyInfo(old, "DISABLED", false));
    for (int i = 0; i < 3; i++) {
      assertThat(engine.find("github", "https://idp.example#user" + i, SecretKind.LINKED_TOKEN)).contains("token-" + i);
    }
    assertThat(engine.countUnder(old)).isZero();
  }

  @Test
  void aGroupReadableKeysetStopsTheCommandWithTheFix() throws Exception {
    vault("list");
    Files.setPosixFilePermissions(dir.resolve("vault-keyset.json"), PosixFilePermissions.fromString("rw-r--r--"));

    assertThat(vault("list")).isEqualTo(VaultCommand.FAILED);
    assertThat(printed()).contains("is accessible to its group or others (rw-r--r--)").contains("chmod 600");
  }

  @Test
  void putWorksOnPostgres() {
    String pg = TestDatabases.postgresUrl();
    printed.reset();
    int status = VaultCommand.run(new String[] {"vault", "put", "--id", "github-pat", "--kind", "pat", "--from-stdin",
        "--spring.datasource.url=" + pg, "--spring.datasource.username=postgres", "--spring.datasource.password=",
        "--engine.vault.keyset-path=" + dir.resolve("pg-keyset.json")},
        new ByteArrayInputStream("ghp_pg".getBytes(StandardCharsets.UTF_8)), out);

    assertThat(status).as(this::printed).isZero();
    assertThat(printed()).contains("stored github-pat (pat) for service");
  }

  @Test
  void stagedRotationAddsAKeyOtherNodesCanReadBeforeItBecomesPrimary() throws Exception {
    vault(new ByteArrayInputStream("token-0".getBytes(StandardCharsets.UTF_8)),
        "put", "--id", "github", "--kind", "linked-token", "--owner", "https://idp.example#user0", "--from-stdin");
    long old = VaultKeyset.open(dir.resolve("vault-keyset.json"), Map.of()).primaryKeyId();

    assertThat(vault("rotate", "--stage")).as(this::printed).isZero();
    VaultKeyset staged = VaultKeyset.open(dir.resolve("vault-keyset.json"), Map.of());
    assertThat(staged.primaryKeyId()).isEqualTo(old);
    assertThat(staged.keys()).hasSize(2);
    long fresh = staged.keys().stream().filter(k -> !k.primary()).findFirst().orElseThrow().id();
    assertThat(printed()).contains("key " + fresh + " added to ").contains("not primary yet");
    // another node, started from a copy of the staged keyset, never needs to re-read its file
    Path copy = dir.resolve("node-b/vault-keyset.json");
    Files.createDirectories(copy.getParent());
    Files.copy(dir.resolve("vault-keyset.json"), copy);
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL(url());
    ds.setUser("engine");
    VaultStore nodeB = new VaultStore(ds, VaultKeyset.open(copy, Map.of()), Clock.systemUTC());

    assertThat(vault("rotate", "--promote", "--disable-old")).as(this::printed).isZero();

    assertThat(printed()).contains("staged key " + fresh + " is now primary").contains("re-encrypted 1 entries under key " + fresh)
        .contains("key " + old + " disabled");
    assertThat(nodeB.find("github", "https://idp.example#user0", SecretKind.LINKED_TOKEN)).contains("token-0");
    assertThat(nodeB.countUnder(fresh)).isEqualTo(1);
  }

  @Test
  void promoteWithoutAStagedKeySaysWhatToRunFirst() {
    assertThat(vault("rotate", "--promote")).isEqualTo(VaultCommand.FAILED);
    assertThat(printed()).contains("no staged key to promote; run `vault rotate --stage` first");
  }
}
