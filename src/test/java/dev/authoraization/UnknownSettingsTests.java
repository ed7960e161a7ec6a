package dev.authoraization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.logging.DeferredLogs;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.ClassPathResource;

/**
 * A setting under {@code engine.} that the engine does not know fails the start instead of being
 * ignored with its default kept (an "off" switch misspelled would leave the demo provider or the
 * sandbox on). The known settings come from the metadata the build generates, so the last tests
 * check that every setting the code reads and the documentation names is in it.
 */
@ExtendWith(OutputCaptureExtension.class)
class UnknownSettingsTests {

  @Test
  void aMisspelledOffSwitchFailsTheStartNamingItWhereItWasSetAndTheSettingMeant() {
    UnknownSettings.Refused refused = refusedFor(yaml("""
        engine:
          identity:
            embeded:
              enabled: false
        """));

    assertThat(refused.settings()).singleElement().asString()
        .startsWith("engine.identity.embeded.enabled (")
        .contains("application-prod.yml", "4:16")
        .endsWith(": did you mean engine.identity.embedded.enabled?");
  }

  @Test
  void theRefusalNeverRepeatsAValueWhichMayBeASecret() {
    UnknownSettings.Refused refused = refusedFor(yaml("""
        engine:
          github:
            tokn: ghp_doNotPrintThisValue
        """));

    assertThat(refused.settings()).singleElement().asString()
        .contains("engine.github.tokn", "did you mean engine.github.token?").doesNotContain("ghp_");
    assertThat(refused).message().doesNotContain("ghp_");
    FailureAnalysis analysis = new UnknownSettings.Analyzer().analyze(refused);
    assertThat(analysis.getDescription()).contains("engine.github.tokn").doesNotContain("ghp_");
    assertThat(analysis.getAction()).contains("Correct or remove");
  }

  @Test
  void everyUnknownSettingFromEverySourceIsListedNotOnlyTheFirst() {
    UnknownSettings.Refused refused = refusedFor(
        new MapPropertySource("commandLineArgs", Map.of("engine.approvals.quota.max-request", "3")),
        yaml("engine:\n  sandbox:\n    enable: false\n  nonsense: 1\n"));

    assertThat(refused.settings()).hasSize(3).anySatisfy(s -> assertThat(s).startsWith(
            "engine.approvals.quota.max-request").endsWith("did you mean engine.approvals.quota.max-requests?"))
        .anySatisfy(s -> assertThat(s).startsWith("engine.sandbox.enable ")
            .endsWith("did you mean engine.sandbox.enabled?"))
        .anySatisfy(s -> assertThat(s).startsWith("engine.nonsense (").doesNotContain("did you mean"));
  }

  @Test
  void insideAListOfIssuersOrUsersTheNamesAreTheRecordsOwn() {
    UnknownSettings.Refused refused = refusedFor(yaml("""
        engine:
          identity:
            issuers:
              - uri: https://login.example.com
                audiences: [engine]
                role-claim: groups
                keys:
                  timout: 5s
            embedded:
              users:
                - username: carol
                  password: a-long-password-never-printed
                  role: [developer, approver]
        """));

    assertThat(refused.settings()).containsExactlyInAnyOrder(
        "engine.identity.issuers[0].keys.timout (Byte array resource [application-prod.yml] - 8:19): "
            + "did you mean engine.identity.issuers[0].keys.timeout?",
        "engine.identity.issuers[0].role-claim (Byte array resource [application-prod.yml] - 6:21): "
            + "did you mean engine.identity.issuers[0].roles-claim?",
        // a list under a wrong name is one entry, not one per item
        "engine.identity.embedded.users[0].role (Byte array resource [application-prod.yml] - 13:18): "
            + "did you mean engine.identity.embedded.users[0].roles?");
    assertThat(refused).message().doesNotContain("a-long-password");
  }

  @Test
  void aValueTheRecordRefusesIsLeftToTheBindingThatReportsItAsBefore() {
    assertThatCode(() -> check(yaml("""
        engine:
          identity:
            embedded:
              users:
                - username: carol
                  password: short
        """))).doesNotThrowAnyException();
  }

  @Test
  void knownSettingsPassInEveryFormSpringAccepts() {
    assertThatCode(() -> check(new MapPropertySource("test", Map.of(
        "engine.public-url", "https://engine.example.com",
        "engine.approvals.quota.maxRequests", "5", // relaxed binding: camel case
        "engine.identity.issuers[0].uri", "https://login.example.com", // inside a list setting
        "engine.identity.issuers[0].keys.timeout", "5s",
        "engine.approvals.ciba.approvers.merge_pull_request[0]", "alice", // a map's key
        "engine.server.max-request-body-size", "2MB", // read with @Value: additional metadata
        "spring.datasource.url", "jdbc:h2:mem:x", // not the engine's to check
        "engineering.team", "x")))).doesNotThrowAnyException();
  }

  @Test
  void anUnknownEnvironmentVariableIsWarnedAboutButDoesNotStopTheStart(CapturedOutput output) {
    DeferredLogs logs = new DeferredLogs();

    check(logs, new SystemEnvironmentPropertySource("systemEnvironment", Map.of(
        "ENGINE_IDENTITY_EMBEDED_ENABLED", "false",
        "ENGINE_PUBLIC_URL", "https://engine.example.com", "ENGINE_PUBLICURL", "https://engine.example.com",
        "ENGINE_IDENTITY_ISSUERS_0_URI", "https://login.example.com",
        "ENGINE_VAULT_KEYSET", "secret-keyset-never-printed",
        "ENGINE_SERVICE_HOST", "10.0.0.1", "ENGINE_PORT_8080_TCP_ADDR", "10.0.0.1", // Kubernetes service links
        "ENGINE_PORT", "tcp://10.0.0.1:8080", "ENGINE_WORKER_SERVICE_PORT_HTTP", "8080",
        "PATH", "/usr/bin")));
    logs.switchOverAll();

    assertThat(output).contains("Environment variables that look like engine settings but name none, "
        + "so they change nothing: ENGINE_IDENTITY_EMBEDED_ENABLED: did you mean ENGINE_IDENTITY_EMBEDDED_ENABLED?")
        .doesNotContain("ENGINE_PUBLIC_URL", "ENGINE_SERVICE_HOST", "ENGINE_PORT", "ENGINE_WORKER", "ENGINE_VAULT",
            "secret-keyset", "false");
  }

  @Test
  void theShippedConfigurationNamesOnlyKnownSettings() {
    for (String file : List.of("application.yml", "application-demo.yml", "application-test.yml")) {
      assertThatCode(() -> check(load(new ClassPathResource(file).getContentAsByteArray(), file)))
          .as(file).doesNotThrowAnyException();
    }
  }

  @Test
  void aStartWithAMisspelledSettingEndsBeforeAnyBeanIsMadeAndSaysWhy(CapturedOutput output) {
    SpringApplication application = new SpringApplication(EngineApplication.class);
    application.setDefaultProperties(Map.of("spring.main.banner-mode", "off"));

    Throwable failure = catchThrowableOfType(UnknownSettings.Refused.class,
        () -> application.run("--engine.identity.embeded.enabled=false"));

    assertThat(failure).isNotNull();
    assertThat(output).contains("APPLICATION FAILED TO START",
        "engine.identity.embeded.enabled (\"engine.identity.embeded.enabled\" from property source "
            + "\"commandLineArgs\"): did you mean engine.identity.embedded.enabled?",
        "Correct or remove each of them");
  }

  /** A {@code @Value}, a condition or a lookup that reads a setting the metadata does not list. */
  @Test
  void everySettingTheCodeReadsIsKnown() throws IOException {
    Pattern read = Pattern.compile("(?:\\$\\{|name = \"|prefix = \"|getProperty\\(\")(engine\\.[a-z0-9.-]+)"
        + "(?:\", name = \"([a-z0-9.-]+))?");
    TreeSet<String> unknown = new TreeSet<>();
    for (Path file : files(Path.of("src/main/java"), ".java")) {
      Matcher m = read.matcher(Files.readString(file));
      while (m.find()) {
        String setting = m.group(2) == null ? m.group(1) : m.group(1) + "." + m.group(2);
        if (!known().covers(ConfigurationPropertyName.of(setting))) {
          unknown.add(setting + " in " + file);
        }
      }
    }
    assertThat(unknown).isEmpty();
  }

  /**
   * The README and docs name settings in prose, tables and commands; one misspelled there is
   * copied into configurations. Names under a group the engine has ({@code engine.approvals.},
   * {@code engine.github.}, ...) must be settings; meter names ({@code engine.approval.waiters})
   * are in groups of their own. The ADR and the operations guide show three misspellings on purpose.
   */
  private static final Set<String> SHOWN_MISSPELLED = Set.of(
      "engine.identity.embeded.enabled", "engine.sandbox.enable", "engine.approvals.quota.max-request");

  @Test
  void everySettingTheDocumentationNamesIsKnown() throws IOException {
    UnknownSettings.Known known = known();
    Pattern named = Pattern.compile("(?<![\\w./-])(engine\\.[a-z0-9-]+(?:\\.[a-z0-9-]+)*)");
    TreeSet<String> unknown = new TreeSet<>();
    List<Path> docs = Stream.concat(Stream.of(Path.of("README.md")), files(Path.of("docs"), ".md").stream()).toList();
    for (Path doc : docs) {
      Matcher m = named.matcher(Files.readString(doc));
      while (m.find()) {
        ConfigurationPropertyName name = ConfigurationPropertyName.of(m.group(1));
        if (known.groups().contains(name.chop(2)) && !known.covers(name) && !SHOWN_MISSPELLED.contains(m.group(1))) {
          unknown.add(m.group(1) + " in " + doc);
        }
      }
    }
    assertThat(unknown).isEmpty();
  }

  private static UnknownSettings.Known known() {
    return UnknownSettings.Known.fromMetadata();
  }

  private static List<Path> files(Path root, String suffix) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
    }
  }

  private static UnknownSettings.Refused refusedFor(PropertySource<?>... sources) {
    UnknownSettings.Refused refused = catchThrowableOfType(UnknownSettings.Refused.class, () -> check(sources));
    assertThat(refused).as("the start was refused").isNotNull();
    return refused;
  }

  private static void check(PropertySource<?>... sources) {
    check(new DeferredLogs(), sources);
  }

  private static void check(DeferredLogs logs, PropertySource<?>... sources) {
    StandardEnvironment environment = new StandardEnvironment();
    environment.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
    environment.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
    for (PropertySource<?> source : sources) {
      environment.getPropertySources().addLast(source);
    }
    new UnknownSettings(logs).postProcessEnvironment(environment, new SpringApplication());
  }

  private static PropertySource<?> yaml(String text) {
    return load(text.getBytes(StandardCharsets.UTF_8), "application-prod.yml");
  }

  private static PropertySource<?> load(byte[] content, String name) {
    try {
      return new YamlPropertySourceLoader().load(name, new ByteArrayResource(content, name)).getFirst();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
