package dev.authoraization.credential.tink;

import dev.authoraization.call.GatewayException;
import dev.authoraization.credential.SecretKind;
import dev.authoraization.credential.StoredSecrets;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

/**
 * {@code vault put|list|rotate|remove}: manages the built-in vault without the web server (only
 * the database, its migrations and the keyset), so it also runs while the engine is up. A secret
 * is read from a file or from standard input, never from the command line (where {@code ps} and
 * shell history would see it), and is never printed.
 */
public final class VaultCommand {

  public static final int OK = 0;
  public static final int REFUSED = 1;
  public static final int FAILED = 2;

  static final String USAGE = """
      usage: vault put --id ID --kind github-app-key|pat|linked-token [--owner OWNER] (--from-file FILE | --from-stdin)
             vault list
             vault rotate [--disable-old]             (one keyset file shared by all nodes)
             vault rotate --stage, then vault rotate --promote [--disable-old]   (a keyset copy per node)
             vault remove --id ID [--owner OWNER]
      OWNER is 'service' (the default) for the engine's own credentials, or a user's ISSUER#SUBJECT for a linked token.
      Other --name=value arguments are engine properties (e.g. --spring.datasource.url=..., --engine.vault.keyset-path=...).""";
  private static final Set<String> VALUED = Set.of("--id", "--kind", "--owner", "--from-file");
  private static final Set<String> FLAGS = Set.of("--from-stdin", "--disable-old", "--stage", "--promote");

  private VaultCommand() {}

  /** The parsed command line: words, vault options, and engine properties. */
  record Arguments(List<String> words, Map<String, String> options, List<String> properties) {

    static Arguments parse(String[] args) {
      List<String> words = new ArrayList<>();
      Map<String, String> options = new HashMap<>();
      List<String> properties = new ArrayList<>();
      for (int i = 1; i < args.length; i++) {
        String arg = args[i];
        String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
        if (VALUED.contains(name)) {
          if (arg.contains("=")) {
            options.put(name, arg.substring(arg.indexOf('=') + 1));
          } else if (i + 1 < args.length) {
            options.put(name, args[++i]);
          } else {
            throw new IllegalArgumentException(name + " needs a value");
          }
        } else if (FLAGS.contains(arg)) {
          options.put(arg, "true");
        } else if (arg.startsWith("--")) {
          properties.add(arg);
        } else {
          words.add(arg);
        }
      }
      return new Arguments(List.copyOf(words), Map.copyOf(options), List.copyOf(properties));
    }
  }

  /** Runs from {@code main}; {@code args[0]} is "vault". */
  public static int run(String[] args) {
    return run(args, System.in, System.out);
  }

  static int run(String[] args, InputStream in, PrintStream out) {
    Arguments arguments;
    try {
      arguments = Arguments.parse(args);
    } catch (IllegalArgumentException e) {
      out.println(e.getMessage());
      out.println(USAGE);
      return FAILED;
    }
    if (arguments.words().size() != 1) {
      out.println(USAGE);
      return FAILED;
    }
    try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Context.class)
        .web(WebApplicationType.NONE)
        .bannerMode(Banner.Mode.OFF)
        .logStartupInfo(false)
        .properties("logging.level.root=warn")
        .run(arguments.properties().toArray(String[]::new))) {
      return execute(context.getBean(VaultStore.class), context.getBean(VaultKeyset.class),
          context.getBean(VaultProperties.class), arguments, in, out);
    } catch (RuntimeException e) {
      out.println("vault " + arguments.words().getFirst() + " failed: the engine could not start: " + rootMessage(e));
      return FAILED;
    }
  }

  /** The command itself, separate from start-up so that it can be tested on any store. */
  static int execute(VaultStore store, VaultKeyset keyset, VaultProperties properties, Arguments arguments,
      InputStream in, PrintStream out) {
    try {
      return switch (arguments.words().getFirst()) {
        case "put" -> put(store, keyset, arguments.options(), in, out);
        case "list" -> list(store, keyset, out);
        case "rotate" -> arguments.options().containsKey("--stage")
            ? stage(keyset, out)
            : rotate(store, keyset, properties.rotationBatchSize(), arguments.options().containsKey("--promote"),
                arguments.options().containsKey("--disable-old"), out);
        case "remove" -> remove(store, arguments.options(), out);
        default -> {
          out.println(USAGE);
          yield FAILED;
        }
      };
    } catch (GatewayException | IllegalArgumentException | IllegalStateException e) {
      out.println("vault " + arguments.words().getFirst() + " failed: " + e.getMessage());
      return FAILED;
    }
  }

  private static int put(VaultStore store, VaultKeyset keyset, Map<String, String> options, InputStream in, PrintStream out) {
    String id = required(options, "--id");
    String kindName = required(options, "--kind");
    SecretKind kind = SecretKind.of(kindName).orElseThrow(() -> new IllegalArgumentException("--kind must be one of "
        + java.util.Arrays.stream(SecretKind.values()).map(SecretKind::id).collect(Collectors.joining(", "))
        + ", not '" + kindName + "'."));
    String owner = options.getOrDefault("--owner", StoredSecrets.SERVICE);
    boolean fromStdin = options.containsKey("--from-stdin");
    if (fromStdin == options.containsKey("--from-file")) {
      throw new IllegalArgumentException("give exactly one of --from-file FILE or --from-stdin "
          + "(the secret is never taken from the command line).");
    }
    String secret;
    try {
      secret = fromStdin ? new String(in.readAllBytes(), StandardCharsets.UTF_8)
          : Files.readString(Path.of(options.get("--from-file")), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the secret from " + (fromStdin ? "standard input" : options.get("--from-file"))
          + " (" + e.getClass().getSimpleName() + ").");
    }
    secret = secret.strip();
    store.put(id, owner, kind, secret);
    out.println("stored " + id + " (" + kind.id() + ") for " + owner + ", encrypted under key " + keyset.primaryKeyId());
    return OK;
  }

  private static int list(VaultStore store, VaultKeyset keyset, PrintStream out) {
    out.println("keyset " + keyset.file().map(Path::toString).orElse("from " + VaultKeyset.ENV) + ": "
        + keyset.keys().stream().map(k -> k.id() + " " + k.status().toLowerCase(java.util.Locale.ROOT)
            + (k.primary() ? " primary" : "")).collect(Collectors.joining(", ")));
    List<VaultStore.Entry> entries = store.list();
    for (VaultStore.Entry entry : entries) {
      out.println(entry.owner() + "  " + entry.id() + "  " + entry.kind() + "  key " + entry.keyId() + "  rotated " + entry.rotatedAt());
    }
    out.println(entries.size() + " entries");
    return OK;
  }

  /**
   * Adds a new primary key, re-encrypts every entry under it, and (with {@code --disable-old})
   * disables the keys nothing is encrypted under any more. The keyset holds the old and the new
   * key throughout, so the engine keeps reading while this runs.
   */
  static int rotate(VaultStore store, VaultKeyset keyset, int batchSize, boolean promote, boolean disableOld, PrintStream out) {
    long primary = promote ? keyset.promote() : keyset.rotate();
    List<Long> old = keyset.keys().stream().filter(k -> k.status().equals("ENABLED") && k.id() != primary)
        .map(VaultKeyset.KeyInfo::id).toList();
    out.println((promote ? "staged key " + primary + " is now primary in " : "new primary key " + primary + " added to ")
        + keyset.file().map(Path::toString).orElse("the keyset"));
    VaultStore.Reencrypted result = store.reencrypt(batchSize);
    out.println("re-encrypted " + result.rows() + " entries under key " + primary + " (batches of " + batchSize + ")");
    if (!result.unreadable().isEmpty()) {
      out.println("could NOT re-encrypt (altered or under an unknown key): " + String.join(", ", result.unreadable()));
    }
    if (!disableOld) {
      out.println("old keys kept enabled: " + old + " (run `vault rotate --disable-old` next time, or keep them for backups)");
      return result.unreadable().isEmpty() ? OK : REFUSED;
    }
    int status = OK;
    for (long key : old) {
      long left = store.countUnder(key);
      if (left > 0 || !result.unreadable().isEmpty()) {
        out.println("key " + key + " NOT disabled: " + left + " entries are still under it");
        status = REFUSED;
      } else {
        keyset.disable(key);
        out.println("key " + key + " disabled");
      }
    }
    return status;
  }

  /** The first half of a rotation across nodes that each hold a copy of the keyset file. */
  private static int stage(VaultKeyset keyset, PrintStream out) {
    long staged = keyset.stage();
    out.println("key " + staged + " added to " + keyset.file().map(Path::toString).orElse("the keyset")
        + ", not primary yet: copy this keyset to every node, then run `vault rotate --promote`");
    return OK;
  }

  private static int remove(VaultStore store, Map<String, String> options, PrintStream out) {
    String id = required(options, "--id");
    String owner = options.getOrDefault("--owner", StoredSecrets.SERVICE);
    if (store.remove(id, owner)) {
      out.println("removed " + id + " of " + owner);
      return OK;
    }
    out.println("no entry " + id + " of " + owner);
    return REFUSED;
  }

  private static String required(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " is required.");
    }
    return value;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    // Our own start-up checks (keyset permissions, a malformed keyset) say what to do; others name their type.
    return root instanceof IllegalStateException && root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
  }

  /** The database, its migrations and the vault; nothing else of the engine. */
  @ImportAutoConfiguration({DataSourceAutoConfiguration.class, FlywayAutoConfiguration.class})
  @Import(VaultConfiguration.class)
  static class Context {}
}
