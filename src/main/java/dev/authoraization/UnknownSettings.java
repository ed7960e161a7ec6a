package dev.authoraization;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.util.ClassUtils;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Refuses to start when the configuration names a setting under {@code engine.} that the engine
 * does not know. Spring ignores such a name, so a misspelled {@code engine.identity.embeded.enabled:
 * false} would leave the built-in provider and its demo users on, and {@code
 * engine.approvals.quota.max-request: 3} would keep the default quota, both without a word.
 *
 * <p>The settings the engine knows are its configuration metadata (generated from the
 * {@code @ConfigurationProperties} records, plus {@code additional-spring-configuration-metadata.json}
 * for those read with {@code @Value} or a condition). A name is known when it or one of its
 * ancestors is one of them; below a list of the engine's records ({@code
 * engine.identity.issuers[0].roles-claim}) it must be a name Spring's binder tries for the record.
 * Files, the command line, system properties and {@code SPRING_APPLICATION_JSON} are checked, and
 * the start fails naming each unknown setting, where it was set and the nearest known name, never
 * its value. Environment variables are only warned about: their namespace is shared with the
 * platform (a wrapper script's {@code ENGINE_OPTS}, Kubernetes' service links for a service called
 * "engine").
 */
public final class UnknownSettings implements EnvironmentPostProcessor {

  static final String METADATA = "META-INF/spring-configuration-metadata.json";

  private static final ConfigurationPropertyName ENGINE = ConfigurationPropertyName.of("engine");

  /** Read by the engine itself rather than bound (credential/tink/VaultKeyset). */
  private static final Set<String> VARIABLES_READ_DIRECTLY = Set.of("ENGINE_VAULT_KEYSET");

  /** The variables Kubernetes sets for every service whose name starts with "engine". */
  private static final Pattern SERVICE_LINK = Pattern.compile(
      "ENGINE[A-Z0-9_]*_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT(_\\d+_(TCP|UDP|SCTP)(_PROTO|_PORT|_ADDR)?)?)");

  private final Log log;

  public UnknownSettings(DeferredLogFactory logs) {
    this.log = logs.getLog(UnknownSettings.class);
  }

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
    Known known = Known.fromMetadata();
    List<String> unknown = new ArrayList<>();
    for (PropertySource<?> source : environment.getPropertySources()) {
      if (source instanceof SystemEnvironmentPropertySource variables) {
        warnAboutUnknownVariables(variables.getPropertyNames(), known);
      }
    }
    report(environment, ENGINE, known::covers, known.settings(), unknown);
    known.lists().forEach((list, elements) -> checkInside(environment, list, elements, unknown));
    if (!unknown.isEmpty()) {
      throw new Refused(unknown);
    }
  }

  /**
   * Below a list of records ({@code engine.identity.issuers[0].audience}) the names are the
   * record's: Spring's binder binds the list, and every name it tried is known, whether the
   * configuration had it or not. When the binding fails (a value the record refuses), the names it
   * did not reach cannot be told apart, so the check is left to the real binding, which reports the
   * value as it always has.
   */
  private static void checkInside(ConfigurableEnvironment environment, ConfigurationPropertyName list,
      Class<?> elements, List<String> unknown) {
    Attempts attempts = new Attempts();
    try {
      Binder.get(environment).bind(list, Bindable.listOf(elements), attempts);
    } catch (BindException refusedValue) {
      return;
    }
    report(environment, list, attempts.names::contains,
        attempts.names.stream().map(ConfigurationPropertyName::toString).toList(), unknown);
  }

  /**
   * Adds each name below {@code root} that is not {@code known}, from every source but the
   * environment variables, once per name: a list set in the wrong name is one entry, not one per
   * item.
   */
  private static void report(ConfigurableEnvironment environment, ConfigurationPropertyName root,
      Predicate<ConfigurationPropertyName> known, List<String> candidates, List<String> unknown) {
    for (PropertySource<?> source : environment.getPropertySources()) {
      if (source instanceof SystemEnvironmentPropertySource
          || ConfigurationPropertySources.isAttachedConfigurationPropertySource(source)
          || !(ConfigurationPropertySource.from(source) instanceof IterableConfigurationPropertySource names)) {
        continue;
      }
      Map<ConfigurationPropertyName, @Nullable ConfigurationProperty> found = new LinkedHashMap<>();
      names.stream().filter(root::isAncestorOf).filter(known.negate())
          .forEach(name -> found.putIfAbsent(withoutIndex(name), names.getConfigurationProperty(name)));
      found.forEach((name, property) -> unknown.add(describe(name, property, candidates)));
    }
  }

  private static ConfigurationPropertyName withoutIndex(ConfigurationPropertyName name) {
    ConfigurationPropertyName shown = name;
    while (shown.isLastElementIndexed()) {
      shown = shown.getParent();
    }
    return shown;
  }

  /** Every name the binder tried, whether the configuration had it or not. */
  private static final class Attempts implements BindHandler {

    private final Set<ConfigurationPropertyName> names = new HashSet<>();

    @Override
    public <T> Bindable<T> onStart(ConfigurationPropertyName name, Bindable<T> target, BindContext context) {
      names.add(name);
      return target;
    }
  }

  /** The name, where it was set and the nearest of the candidates; never the value. */
  private static String describe(ConfigurationPropertyName name, @Nullable ConfigurationProperty property,
      List<String> candidates) {
    String where = property == null || property.getOrigin() == null ? "" : " (" + property.getOrigin() + ")";
    return name + where + Known.nearest(name.toString(), candidates);
  }

  private void warnAboutUnknownVariables(String[] variables, Known known) {
    List<String> unknown = new ArrayList<>();
    for (String variable : variables) {
      if (variable.startsWith("ENGINE_") && !VARIABLES_READ_DIRECTLY.contains(variable)
          && !SERVICE_LINK.matcher(variable).matches() && !known.coversVariable(variable)) {
        unknown.add(known.describeVariable(variable));
      }
    }
    if (!unknown.isEmpty()) {
      log.warn("Environment variables that look like engine settings but name none, so they change nothing: "
          + String.join("; ", unknown));
    }
  }

  /**
   * The settings the engine knows, from its configuration metadata.
   *
   * @param settings their names as the metadata spells them
   * @param lists the settings that are lists of the engine's own records, with the record type
   */
  record Known(List<String> settings, Set<ConfigurationPropertyName> names, Set<ConfigurationPropertyName> groups,
      List<String> variables, Map<ConfigurationPropertyName, Class<?>> lists) {

    private static final Pattern LIST_OF_RECORDS =
        Pattern.compile("java\\.util\\.List<(dev\\.authoraization\\.[\\w.$]+)>");

    /**
     * The engine's metadata is the first on the class path: target/classes comes before the
     * libraries in a build, and the executable jar holds it at its root, which the launcher's class
     * loader asks before the nested libraries. A library's metadata found first would name none of
     * the engine's settings, and is refused rather than taken as "nothing is known".
     */
    static Known fromMetadata() {
      URL url = UnknownSettings.class.getClassLoader().getResource(METADATA);
      if (url == null) {
        throw new IllegalStateException("the engine's " + METADATA + " is missing from the class path");
      }
      Map<String, String> types = new LinkedHashMap<>();
      // Jackson's streaming parser: a JsonMapper, the first built this early, costs a few hundred
      // milliseconds of start-up (Spring Boot's BasicJsonParser is no cheaper and splits this file wrong)
      try (InputStream in = url.openStream();
          JsonParser json = new JsonFactory().createParser(ObjectReadContext.empty(), in)) {
        if (json.nextToken() == JsonToken.START_OBJECT) {
          while (json.nextToken() == JsonToken.PROPERTY_NAME) {
            if (json.nextToken() == JsonToken.START_ARRAY && "properties".equals(json.currentName())) {
              while (json.nextToken() == JsonToken.START_OBJECT) {
                readProperty(json, types);
              }
            } else {
              json.skipChildren();
            }
          }
        }
      } catch (IOException | JacksonException e) {
        throw new IllegalStateException("cannot read the engine's " + METADATA + ": " + e.getMessage(), e);
      }
      if (types.keySet().stream().noneMatch(name -> name.startsWith("engine."))) {
        throw new IllegalStateException(url + " is not the engine's " + METADATA
            + " (it names no engine setting): the engine's classes must come first on the class path");
      }
      return of(types);
    }

    /** One entry of {@code properties}: its {@code name} and {@code type}, the rest skipped. */
    private static void readProperty(JsonParser json, Map<String, String> types) {
      String name = null;
      String type = "";
      while (json.nextToken() == JsonToken.PROPERTY_NAME) {
        String field = json.currentName();
        JsonToken value = json.nextToken();
        if (value == JsonToken.VALUE_STRING && "name".equals(field)) {
          name = json.getString();
        } else if (value == JsonToken.VALUE_STRING && "type".equals(field)) {
          type = json.getString();
        } else {
          json.skipChildren();
        }
      }
      if (name != null) {
        types.put(name, type);
      }
    }

    /** From setting names and their types as the metadata writes them ({@code java.util.List<...>}). */
    static Known of(Map<String, String> types) {
      Set<ConfigurationPropertyName> names = new HashSet<>();
      Set<ConfigurationPropertyName> groups = new HashSet<>();
      List<String> variables = new ArrayList<>();
      Map<ConfigurationPropertyName, Class<?>> lists = new LinkedHashMap<>();
      types.forEach((setting, type) -> {
        ConfigurationPropertyName name = ConfigurationPropertyName.of(setting);
        names.add(name);
        for (ConfigurationPropertyName group = name.getParent(); !group.isEmpty(); group = group.getParent()) {
          groups.add(group);
        }
        // Spring maps ENGINE_PUBLIC_URL and ENGINE_PUBLICURL to engine.public-url
        String variable = setting.toUpperCase(Locale.ROOT).replace('.', '_');
        variables.add(variable.replace('-', '_'));
        variables.add(variable.replace("-", ""));
        Matcher list = LIST_OF_RECORDS.matcher(type);
        if (list.matches()) {
          lists.put(name, ClassUtils.resolveClassName(list.group(1), UnknownSettings.class.getClassLoader()));
        }
      });
      return new Known(List.copyOf(types.keySet()), Set.copyOf(names), Set.copyOf(groups), List.copyOf(variables),
          Map.copyOf(lists));
    }

    boolean covers(ConfigurationPropertyName name) {
      if (groups.contains(name)) {
        return true;
      }
      for (ConfigurationPropertyName candidate = name; !candidate.isEmpty(); candidate = candidate.getParent()) {
        if (names.contains(candidate)) {
          return true;
        }
      }
      return false;
    }

    boolean coversVariable(String variable) {
      return variables.stream().anyMatch(known -> variable.equals(known) || variable.startsWith(known + "_"));
    }

    String describeVariable(String variable) {
      return variable + nearest(variable, variables);
    }

    static String nearest(String unknown, List<String> known) {
      String typed = unknown.toLowerCase(Locale.ROOT);
      return known.stream()
          .map(candidate -> new Suggestion(candidate, distance(typed, candidate.toLowerCase(Locale.ROOT))))
          .filter(suggestion -> suggestion.distance() <= Math.max(2, typed.length() / 4))
          .min(Comparator.comparingInt(Suggestion::distance))
          .map(suggestion -> ": did you mean " + suggestion.name() + "?")
          .orElse("");
    }

    private record Suggestion(String name, int distance) {}

    /** Levenshtein distance: letters inserted, deleted or replaced to turn one text into the other. */
    static int distance(String a, String b) {
      int[] previous = new int[b.length() + 1];
      int[] current = new int[b.length() + 1];
      for (int j = 0; j <= b.length(); j++) {
        previous[j] = j;
      }
      for (int i = 1; i <= a.length(); i++) {
        current[0] = i;
        for (int j = 1; j <= b.length(); j++) {
          int replace = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
          current[j] = Math.min(replace, Math.min(previous[j], current[j - 1]) + 1);
        }
        int[] swap = previous;
        previous = current;
        current = swap;
      }
      return previous[b.length()];
    }
  }

  /** The start refused: each entry names a setting, where it was set and the nearest known name. */
  static final class Refused extends IllegalStateException {

    private final List<String> settings;

    Refused(List<String> settings) {
      super("Unknown engine settings: " + String.join("; ", settings));
      this.settings = List.copyOf(settings);
    }

    List<String> settings() {
      return settings;
    }
  }

  /** Says what {@link Refused} means where Spring reports a failed start. */
  static final class Analyzer extends AbstractFailureAnalyzer<Refused> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, Refused cause) {
      StringBuilder description = new StringBuilder("The configuration sets engine settings that do not exist. "
          + "The engine would ignore them and keep its defaults, which for a security setting can leave a "
          + "protection off or a demo default on:");
      cause.settings().forEach(setting -> description.append(System.lineSeparator()).append("    ").append(setting));
      return new FailureAnalysis(description.toString(), "Correct or remove each of them. The settings the "
          + "engine knows are in README.md (\"Configuration\") and in the jar's " + METADATA + ".", cause);
    }
  }
}
