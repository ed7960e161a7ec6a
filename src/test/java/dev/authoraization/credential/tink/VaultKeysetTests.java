package dev.authoraization.credential.tink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VaultKeysetTests {

  @TempDir
  Path dir;

  @Test
  void firstStartCreatesTheKeysetFileReadableByItsOwnerOnly() throws Exception {
    Path file = dir.resolve("sub/vault-keyset.json");

    VaultKeyset keyset = VaultKeyset.open(file, Map.of());

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(keyset.keys()).singleElement().satisfies(key -> {
      assertThat(key.primary()).isTrue();
      assertThat(key.status()).isEqualTo("ENABLED");
    });
    assertThat(Files.readString(file)).contains("AesGcmKey");
  }

  @Test
  void secondStartReadsTheSameKeyset() throws Exception {
    Path file = dir.resolve("vault-keyset.json");
    VaultKeyset first = VaultKeyset.open(file, Map.of());
    byte[] ciphertext = first.aead().encrypt("hello".getBytes(StandardCharsets.UTF_8), new byte[0]);

    VaultKeyset second = VaultKeyset.open(file, Map.of());

    assertThat(second.primaryKeyId()).isEqualTo(first.primaryKeyId());
    assertThat(new String(second.aead().decrypt(ciphertext, new byte[0]), StandardCharsets.UTF_8)).isEqualTo("hello");
  }

  @Test
  void keysetFileReadableByGroupOrOthersIsRefusedWithTheFix() throws Exception {
    Path file = dir.resolve("vault-keyset.json");
    VaultKeyset.open(file, Map.of());
    for (String loose : new String[] {"rw-r-----", "rw----r--", "rw-rw-rw-", "rw------x"}) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(loose));

      assertThatThrownBy(() -> VaultKeyset.open(file, Map.of()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(loose)
          .hasMessageContaining("chmod 600 " + file.toAbsolutePath())
          .hasMessageNotContaining("AesGcmKey");
    }
  }

  @Test
  void environmentVariableKeysetIsUsedAndNoFileIsWritten() throws Exception {
    Path elsewhere = dir.resolve("made-by-another-node.json");
    VaultKeyset source = VaultKeyset.open(elsewhere, Map.of());
    String base64 = Base64.getEncoder().encodeToString(Files.readAllBytes(elsewhere));
    Path file = dir.resolve("vault-keyset.json");

    VaultKeyset keyset = VaultKeyset.open(file, Map.of(VaultKeyset.ENV, base64));

    assertThat(keyset.primaryKeyId()).isEqualTo(source.primaryKeyId());
    assertThat(keyset.file()).isEmpty();
    assertThat(file).doesNotExist();
    assertThatThrownBy(keyset::rotate).hasMessageContaining(VaultKeyset.ENV).hasMessageContaining("keyset file");
  }

  @Test
  void malformedEnvironmentKeysetIsRefusedWithoutQuotingIt() {
    String notBase64 = "secret-material-!!";
    String notAKeyset = Base64.getEncoder().encodeToString("{\"primaryKeyId\": 1, \"secret\": \"zzz\"}".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> VaultKeyset.open(dir.resolve("k.json"), Map.of(VaultKeyset.ENV, notBase64)))
        .hasMessageContaining("not base64").hasMessageNotContaining("secret-material");
    assertThatThrownBy(() -> VaultKeyset.open(dir.resolve("k.json"), Map.of(VaultKeyset.ENV, notAKeyset)))
        .hasMessageContaining("does not hold a valid Tink JSON keyset").hasMessageNotContaining("zzz");
  }

  @Test
  void rotationAddsAPrimaryKeepsTheOldKeyAndSavesTheFileOwnerOnly() throws Exception {
    Path file = dir.resolve("vault-keyset.json");
    VaultKeyset keyset = VaultKeyset.open(file, Map.of());
    long old = keyset.primaryKeyId();
    byte[] underOld = keyset.aead().encrypt("old".getBytes(StandardCharsets.UTF_8), new byte[0]);

    long fresh = keyset.rotate();

    assertThat(fresh).isNotEqualTo(old).isEqualTo(keyset.primaryKeyId());
    assertThat(VaultStore.keyIdOf(keyset.aead().encrypt(new byte[] {1}, new byte[0]))).isEqualTo(fresh);
    assertThat(keyset.aead().decrypt(underOld, new byte[0])).isEqualTo("old".getBytes(StandardCharsets.UTF_8));
    assertThat(VaultKeyset.open(file, Map.of()).keys()).hasSize(2);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
  }

  @Test
  void disabledKeyNoLongerDecryptsAndThePrimaryCannotBeDisabled() throws Exception {
    VaultKeyset keyset = VaultKeyset.open(dir.resolve("vault-keyset.json"), Map.of());
    long old = keyset.primaryKeyId();
    byte[] underOld = keyset.aead().encrypt("old".getBytes(StandardCharsets.UTF_8), new byte[0]);
    long fresh = keyset.rotate();

    assertThatThrownBy(() -> keyset.disable(fresh)).hasMessageContaining("primary");
    keyset.disable(old);

    assertThatThrownBy(() -> keyset.aead().decrypt(underOld, new byte[0])).isInstanceOf(java.security.GeneralSecurityException.class);
    assertThat(keyset.keys()).anySatisfy(k -> assertThat(k).isEqualTo(new VaultKeyset.KeyInfo(old, "DISABLED", false)));
  }

  @Test
  void anotherProcessesRotationIsSeenOnReload() {
    Path file = dir.resolve("vault-keyset.json");
    VaultKeyset node = VaultKeyset.open(file, Map.of());
    VaultKeyset command = VaultKeyset.open(file, Map.of());

    long fresh = command.rotate();

    assertThat(node.reload()).isTrue();
    assertThat(node.primaryKeyId()).isEqualTo(fresh);
    assertThat(node.reload()).isFalse();
  }

  @Test
  void toStringNamesTheKeysButNoKeyMaterial() throws Exception {
    Path file = dir.resolve("vault-keyset.json");
    VaultKeyset keyset = VaultKeyset.open(file, Map.of());
    String material = Files.readString(file);
    String value = material.replaceAll("(?s).*\"value\"\\s*:\\s*\"([^\"]+)\".*", "$1");

    assertThat(value).isNotBlank().isNotEqualTo(material);
    assertThat(keyset.toString()).contains(String.valueOf(keyset.primaryKeyId())).doesNotContain(value);
  }
}
