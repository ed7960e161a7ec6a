package dev.authoraization.credential.tink;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeyStatus;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vault's Tink keyset (AES256-GCM keys), kept outside the database: from the
 * {@value #ENV} environment variable (base64 of Tink's JSON keyset) or from a file created at first
 * start readable by its owner only. A file that the group or others may read is refused.
 * Its content is never logged and never part of a message.
 *
 * <p>Rotation ({@link #rotate()}) adds a new primary key and keeps the old ones, so every existing
 * ciphertext still decrypts; {@link #disable(int)} retires a key once nothing is encrypted under it.
 */
public final class VaultKeyset {

  public static final String ENV = "ENGINE_VAULT_KEYSET";
  private static final Set<PosixFilePermission> NOT_OWNER = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
  private static final Logger log = LoggerFactory.getLogger(VaultKeyset.class);

  static {
    try {
      AeadConfig.register();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Tink's AEAD primitives could not be registered", e);
    }
  }

  /** A key of the keyset, without its material. */
  public record KeyInfo(long id, String status, boolean primary) {}

  private final Optional<Path> file;
  private volatile Loaded loaded;

  private record Loaded(KeysetHandle handle, Aead aead) {}

  private VaultKeyset(Optional<Path> file, KeysetHandle handle) {
    this.file = file;
    this.loaded = load(handle);
  }

  /** From {@value #ENV} when set, else from {@code path}, created when missing. */
  public static VaultKeyset open(Path path, Map<String, String> environment) {
    return open(path, environment, () -> 0);
  }

  /**
   * As {@link #open(Path, Map)}, but makes no new keyset file while the vault holds {@code sealed}
   * credentials: a new keyset cannot read them, and making one would leave the engine looking
   * healthy until the first of them is needed (the file lost with a volume that was not mounted,
   * a restore that forgot it).
   */
  public static VaultKeyset open(Path path, Map<String, String> environment, LongSupplier sealed) {
    String fromEnv = environment.get(ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return new VaultKeyset(Optional.empty(), parse(decodeEnv(fromEnv), "the " + ENV + " environment variable"));
    }
    return openFile(path, sealed);
  }

  static VaultKeyset openFile(Path path, LongSupplier sealed) {
    Path file = path.toAbsolutePath().normalize();
    if (Files.exists(file)) {
      checkOwnerOnly(file);
      return new VaultKeyset(Optional.of(file), parse(read(file), "the vault keyset file " + file));
    }
    long held = sealed.getAsLong();
    if (held > 0) {
      throw new IllegalStateException("The vault keyset file " + file + " is missing, but the vault holds " + held
          + " credential(s) sealed with a keyset; a new one could not read them, so none was made. Restore the"
          + " keyset file from its backup (or set " + ENV + "; engine.vault.keyset-path says where the file is)."
          + " If it is lost for good, delete those rows (DELETE FROM vault_credential) and store the credentials"
          + " again with `vault put`.");
    }
    try {
      KeysetHandle handle = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
      Files.createDirectories(file.getParent());
      write(file, handle, false);
      log.info("Vault keyset created at {} (owner-only); back it up: without it the vault cannot be read", file);
      return new VaultKeyset(Optional.of(file), handle);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Cannot generate the vault keyset (" + e.getClass().getSimpleName() + ").");
    } catch (java.nio.file.FileAlreadyExistsException raced) {
      return openFile(file, sealed);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the vault keyset file " + file, e);
    }
  }

  /** Encrypts and decrypts with every enabled key; encrypts with the primary. */
  public Aead aead() {
    return loaded.aead();
  }

  public long primaryKeyId() {
    return Integer.toUnsignedLong(loaded.handle().getPrimary().getId());
  }

  public List<KeyInfo> keys() {
    KeysetHandle handle = loaded.handle();
    List<KeyInfo> keys = new ArrayList<>();
    for (int i = 0; i < handle.size(); i++) {
      KeysetHandle.Entry entry = handle.getAt(i);
      keys.add(new KeyInfo(Integer.toUnsignedLong(entry.getId()), entry.getStatus().toString(), entry.isPrimary()));
    }
    return keys;
  }

  /** Where the keyset is kept: a file, or empty when it came from {@value #ENV}. */
  public Optional<Path> file() {
    return file;
  }

  /**
   * Re-reads the keyset file, so that a node sees a key another process (e.g. {@code vault rotate})
   * added. Returns whether the keyset changed. A keyset from {@value #ENV} never changes.
   */
  public synchronized boolean reload() {
    if (file.isEmpty()) {
      return false;
    }
    checkOwnerOnly(file.get());
    KeysetHandle fresh = parse(read(file.get()), "the vault keyset file " + file.get());
    if (keys(fresh).equals(keys())) {
      return false;
    }
    loaded = load(fresh);
    return true;
  }

  /** Adds a new AES256-GCM key, makes it the primary, and saves the keyset. Returns the new key's id. */
  public synchronized long rotate() {
    KeysetHandle rotated;
    try {
      rotated = KeysetHandle.newBuilder(loaded.handle())
          .addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM).withRandomId().makePrimary())
          .build();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Cannot add a key to the vault keyset (" + e.getClass().getSimpleName() + ").");
    }
    save(rotated);
    return Integer.toUnsignedLong(rotated.getPrimary().getId());
  }

  /**
   * Adds a new AES256-GCM key that is NOT yet primary, and saves the keyset: the first half of a
   * rotation across nodes with their own keyset copies. Once every node has the new keyset,
   * {@link #promote()} makes the key primary. Returns the new key's id.
   */
  public synchronized long stage() {
    KeysetHandle staged;
    try {
      staged = KeysetHandle.newBuilder(loaded.handle())
          .addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM).withRandomId())
          .build();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Cannot add a key to the vault keyset (" + e.getClass().getSimpleName() + ").");
    }
    save(staged);
    return Integer.toUnsignedLong(staged.getAt(staged.size() - 1).getId());
  }

  /** Makes the most recently added enabled, non-primary key the primary, and saves the keyset. */
  public synchronized long promote() {
    KeysetHandle handle = loaded.handle();
    for (int i = handle.size() - 1; i >= 0; i--) {
      KeysetHandle.Entry entry = handle.getAt(i);
      if (!entry.isPrimary() && entry.getStatus() == KeyStatus.ENABLED) {
        KeysetHandle.Builder builder = KeysetHandle.newBuilder(handle);
        builder.getAt(i).makePrimary();
        try {
          save(builder.build());
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException("Cannot promote key " + Integer.toUnsignedLong(entry.getId())
              + " (" + e.getClass().getSimpleName() + ").");
        }
        return Integer.toUnsignedLong(entry.getId());
      }
    }
    throw new IllegalStateException("The vault keyset has no staged key to promote; run `vault rotate --stage` first.");
  }

  /** Disables a (non-primary) key: ciphertexts under it no longer decrypt. */
  public synchronized void disable(long keyId) {
    KeysetHandle handle = loaded.handle();
    KeysetHandle.Builder builder = KeysetHandle.newBuilder(handle);
    boolean found = false;
    for (int i = 0; i < handle.size(); i++) {
      if (Integer.toUnsignedLong(handle.getAt(i).getId()) == keyId) {
        if (handle.getAt(i).isPrimary()) {
          throw new IllegalStateException("Key " + keyId + " is the primary key; rotate first, then disable it.");
        }
        builder.getAt(i).setStatus(KeyStatus.DISABLED);
        found = true;
      }
    }
    if (!found) {
      throw new IllegalArgumentException("The vault keyset has no key " + keyId + ".");
    }
    try {
      save(builder.build());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Cannot disable key " + keyId + " (" + e.getClass().getSimpleName() + ").");
    }
  }

  @Override
  public String toString() {
    return "VaultKeyset[" + file.map(Path::toString).orElse(ENV) + ", keys=" + keys() + "]";
  }

  private void save(KeysetHandle handle) {
    Path target = file.orElseThrow(() -> new IllegalStateException("The vault keyset comes from the " + ENV
        + " environment variable, which the engine cannot change. Rotate with a keyset file "
        + "(unset " + ENV + ", set engine.vault.keyset-path), then put the new keyset into " + ENV + "."));
    try {
      write(target, handle, true);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot save the vault keyset file " + target, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Cannot serialize the vault keyset (" + e.getClass().getSimpleName() + ").");
    }
    loaded = load(handle);
  }

  private static List<KeyInfo> keys(KeysetHandle handle) {
    List<KeyInfo> keys = new ArrayList<>();
    for (int i = 0; i < handle.size(); i++) {
      KeysetHandle.Entry entry = handle.getAt(i);
      keys.add(new KeyInfo(Integer.toUnsignedLong(entry.getId()), entry.getStatus().toString(), entry.isPrimary()));
    }
    return keys;
  }

  private static Loaded load(KeysetHandle handle) {
    try {
      return new Loaded(handle, handle.getPrimitive(RegistryConfiguration.get(), Aead.class));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("The vault keyset holds no usable AEAD key (" + e.getClass().getSimpleName() + ").");
    }
  }

  /** Writes through a new owner-only file in the same directory, then renames it over the old one. */
  private static void write(Path file, KeysetHandle handle, boolean replace) throws IOException, GeneralSecurityException {
    String json = TinkJsonProtoKeysetFormat.serializeKeyset(handle, InsecureSecretKeyAccess.get());
    if (!replace) {
      // CREATE_NEW semantics: when another process created the file first, its keyset wins
      createOwnerOnly(file);
      Files.writeString(file, json, StandardCharsets.UTF_8);
      return;
    }
    Path temporary = file.resolveSibling(file.getFileName() + ".new");
    Files.deleteIfExists(temporary);
    createOwnerOnly(temporary);
    Files.writeString(temporary, json, StandardCharsets.UTF_8);
    Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Owner-only from the start: the key material is never in a file others could open. */
  private static void createOwnerOnly(Path file) throws IOException {
    if (posix()) {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(file);
    }
  }

  static void checkOwnerOnly(Path file) {
    if (!posix()) {
      return;
    }
    Set<PosixFilePermission> permissions;
    try {
      permissions = Files.getPosixFilePermissions(file);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the permissions of the vault keyset file " + file, e);
    }
    if (permissions.stream().anyMatch(NOT_OWNER::contains)) {
      throw new IllegalStateException("The vault keyset file " + file + " is accessible to its group or others ("
          + PosixFilePermissions.toString(permissions) + "). Anyone who can read it can decrypt the vault: run "
          + "`chmod 600 " + file + "` (and consider rotating with `vault rotate --disable-old`), then start again.");
    }
  }

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the vault keyset file " + file, e);
    }
  }

  private static String decodeEnv(String value) {
    try {
      return new String(Base64.getDecoder().decode(value.strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("The " + ENV + " environment variable is not base64; set it to "
          + "`base64 -w0 vault-keyset.json` of a Tink JSON keyset.");
    }
  }

  /** Tink's parse errors can quote the input: only the exception's type goes into the message. */
  private static KeysetHandle parse(String json, String where) {
    try {
      return TinkJsonProtoKeysetFormat.parseKeyset(json, InsecureSecretKeyAccess.get());
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalStateException(where + " does not hold a valid Tink JSON keyset ("
          + e.getClass().getSimpleName() + ").");
    }
  }
}
