package dev.authoraization.identity.embedded;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the signing key as a JWK (RFC 7517) in {@code <dir>/signing-key.json}, readable and
 * writable by the owner only. Generated once (RSA 2048, RS256, random {@code kid}) and loaded on
 * every later start.
 */
public final class FileSigningKeyStore implements SigningKeyStore {

  static final String FILE_NAME = "signing-key.json";
  private static final Logger log = LoggerFactory.getLogger(FileSigningKeyStore.class);
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

  private final Path file;
  private volatile RSAKey key;

  public FileSigningKeyStore(Path dir) {
    this.file = dir.resolve(FILE_NAME);
  }

  /**
   * At first start, creates the key on its own thread, so that the rest of the engine starts
   * meanwhile; {@link #signingKey()} waits for it (and reports any failure itself).
   */
  public FileSigningKeyStore prepareInBackground() {
    if (key == null && !Files.exists(file)) {
      Thread.ofPlatform().daemon().name("signing-key").start(() -> {
        try {
          signingKey();
        } catch (RuntimeException e) {
          log.debug("Creating the signing key in the background failed; the first use tries again", e);
        }
      });
    }
    return this;
  }

  @Override
  public RSAKey signingKey() {
    RSAKey current = key;
    if (current == null) {
      synchronized (this) {
        if (key == null) {
          key = Files.exists(file) ? read() : create();
        }
        current = key;
      }
    }
    return current;
  }

  private RSAKey create() {
    RSAKey generated;
    try {
      generated = new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).keyUse(KeyUse.SIGNATURE)
          .algorithm(JWSAlgorithm.RS256).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("Cannot generate the signing key", e);
    }
    try {
      Path dir = file.getParent();
      Files.createDirectories(dir);
      restrict(dir, OWNER_ONLY_DIR);
      Path temp = posix(dir)
          ? Files.createTempFile(dir, "signing-key", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY))
          : Files.createTempFile(dir, "signing-key", ".tmp");
      try {
        Files.writeString(temp, generated.toJSONString(), StandardCharsets.UTF_8);
        // Without REPLACE_EXISTING: when another node sharing the directory won the race, use its key.
        Files.move(temp, file);
      } catch (FileAlreadyExistsException raced) {
        return read();
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the signing key to " + file, e);
    }
    log.info("Created the signing key {} in {}", generated.getKeyID(), file);
    return generated;
  }

  private RSAKey read() {
    try {
      if (posix(file) && !Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
        log.warn("The signing key file {} was readable by others; restricting it to its owner", file);
        restrict(file, OWNER_ONLY);
      }
      JWK jwk = JWK.parse(Files.readString(file, StandardCharsets.UTF_8));
      if (!(jwk instanceof RSAKey rsa) || !rsa.isPrivate() || rsa.getKeyID() == null) {
        throw new IllegalStateException("The signing key file " + file
            + " does not hold a private RSA JWK with a kid; move it away to have a new key created");
      }
      return rsa;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the signing key from " + file, e);
    } catch (ParseException e) {
      // The cause is left out on purpose: a parser message may quote the key material.
      throw new IllegalStateException("The signing key file " + file + " is not a valid JWK");
    }
  }

  private static boolean posix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  private static void restrict(Path path, Set<PosixFilePermission> permissions) throws IOException {
    if (posix(path)) {
      Files.setPosixFilePermissions(path, permissions);
    }
  }
}
