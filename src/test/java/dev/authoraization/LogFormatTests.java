package dev.authoraization;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;

/**
 * The log patterns in application.yml are copies of Spring Boot's own with two parts wrapped in
 * {@code %replace} (redteam/LogForgingIT says why). A Spring Boot upgrade that changes its default
 * pattern shows here, so the copy is brought along instead of silently keeping the old format.
 */
class LogFormatTests {

  private static final String MESSAGE = "%replace(%m){'(\\r\\n?|\\n)', '$1  '}";
  private static final String EXCEPTION = "%replace(${LOG_EXCEPTION_CONVERSION_WORD:-%wEx})"
      + "{'(\\r\\n?|\\n)(?![\\t ]|Caused by: |$)', '$1  '}";

  @ParameterizedTest
  @CsvSource({"logging.pattern.console, CONSOLE_LOG_PATTERN", "logging.pattern.file, FILE_LOG_PATTERN"})
  void theEnginesPatternIsSpringBootsWithTheMessageAndTheExceptionWrapped(String setting, String bootProperty)
      throws IOException {
    String engines = engineSetting(setting).replace("\\${", "${");

    assertThat(engines).contains(MESSAGE, EXCEPTION);
    assertThat(engines.replace(MESSAGE, "%m").replace(EXCEPTION, "${LOG_EXCEPTION_CONVERSION_WORD:-%wEx}"))
        .isEqualTo(springBootsDefault(bootProperty));
  }

  private static String engineSetting(String name) throws IOException {
    PropertySource<?> yaml = new YamlPropertySourceLoader()
        .load("application.yml", new ClassPathResource("application.yml")).getFirst();
    return String.valueOf(yaml.getProperty(name));
  }

  /** The pattern in Spring Boot's defaults.xml, without its {@code ${NAME:-...}} wrapper. */
  private static String springBootsDefault(String property) throws IOException {
    String defaults = new ClassPathResource("org/springframework/boot/logging/logback/defaults.xml")
        .getContentAsString(StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("name=\"" + property + "\" value=\"\\$\\{" + property + ":-(.*)}\"/>")
        .matcher(defaults);
    assertThat(m.find()).as(property + " in Spring Boot's defaults.xml").isTrue();
    return m.group(1);
  }
}
