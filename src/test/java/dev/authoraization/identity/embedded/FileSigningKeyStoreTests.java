package dev.authoraization.identity.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;

class FileSigningKeyStoreTests {

  @TempDir
  Path dir;

  @Test
  void firstUseCreatesAnRsa2048KeyWithAKidReadableByTheOwnerOnly() throws Exception {
    RSAKey key = new FileSigningKeyStore(dir.resolve("identity")).signingKey();

    assertThat(key.getKeyID()).isNotBlank();
    assertThat(key.isPrivate()).isTrue();
    assertThat(key.size()).isEqualTo(2048);
    Path file = dir.resolve("identity").resolve("signing-key.json");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
    assertThat(Files.list(file.getParent()).toList()).as("no temporary file left").containsExactly(file);
  }

  @Test
  void keyCreatedInTheBackgroundIsTheOneFirstUseReturnsAndTheOneWritten() {
    FileSigningKeyStore store = new FileSigningKeyStore(dir).prepareInBackground();

    RSAKey used = store.signingKey();

    assertThat(store.signingKey()).isSameAs(used);
    assertThat(new FileSigningKeyStore(dir).signingKey()).isEqualTo(used);
    assertThat(new FileSigningKeyStore(dir).prepareInBackground().signingKey()).as("an existing key is loaded, not replaced")
        .isEqualTo(used);
  }

  @Test
  void keyThatCannotBeWrittenInTheBackgroundFailsOnFirstUseNamingTheFile() throws Exception {
    Path blocked = dir.resolve("not-a-directory");
    Files.writeString(blocked, "a file where the key directory should be");
    FileSigningKeyStore store = new FileSigningKeyStore(blocked).prepareInBackground();

    assertThatThrownBy(store::signingKey).hasMessageContaining(blocked.resolve("signing-key.json").toString());
  }

  @Test
  void aRestartLoadsTheSameKeyAndATokenMintedBeforeStillVerifies() {
    RSAKey before = new FileSigningKeyStore(dir).signingKey();
    String token = new NimbusJwtEncoder(new ImmutableJWKSet<>(new JWKSet(before))).encode(JwtEncoderParameters.from(
        JwsHeader.with(SignatureAlgorithm.RS256).keyId(before.getKeyID()).build(),
        JwtClaimsSet.builder().subject("alice").audience(List.of("authoraization-engine"))
            .expiresAt(Instant.now().plusSeconds(60)).build())).getTokenValue();

    RSAKey after = new FileSigningKeyStore(dir).signingKey();

    assertThat(after.getKeyID()).isEqualTo(before.getKeyID());
    assertThat(after).isEqualTo(before);
    NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSource(new ImmutableJWKSet<>(new JWKSet(after))).build();
    assertThat(decoder.decode(token).getSubject()).isEqualTo("alice");
  }

  @Test
  void aKeyFileOpenToOthersIsRestrictedToItsOwnerOnLoad() throws Exception {
    new FileSigningKeyStore(dir).signingKey();
    Path file = dir.resolve("signing-key.json");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    new FileSigningKeyStore(dir).signingKey();

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
  }

  @Test
  void aFileThatIsNotAPrivateJwkStopsTheStartWithoutQuotingIt() throws Exception {
    Files.writeString(dir.resolve("signing-key.json"), "{\"kty\":\"RSA\",\"secret-looking\":");

    assertThatThrownBy(() -> new FileSigningKeyStore(dir).signingKey())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not a valid JWK")
        .hasMessageNotContaining("secret-looking")
        .hasNoCause();
  }

  @Test
  void aPublicOnlyKeyIsRefused() throws Exception {
    RSAKey key = new FileSigningKeyStore(dir.resolve("a")).signingKey();
    Files.writeString(dir.resolve("signing-key.json"), key.toPublicJWK().toJSONString());

    assertThatThrownBy(() -> new FileSigningKeyStore(dir).signingKey())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("private RSA JWK");
  }
}
