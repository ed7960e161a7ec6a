package dev.authoraization.policy.rules;

import dev.authoraization.policy.Policy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;

/**
 * Loads the rules policy once at start-up ({@code engine.policy.path}, default the shipped
 * policy). A policy that does not load stops start-up with a {@link PolicyLoadException}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(PolicyProperties.class)
public class RulesPolicyConfiguration {

  static final String DEFAULT_POLICY = "classpath:policy/default-policy.yaml";
  private static final String CLASSPATH = "classpath:";
  private static final Logger log = LoggerFactory.getLogger(RulesPolicyConfiguration.class);

  @Bean
  public Policy policy(PolicyProperties properties) {
    String location = properties.path().isEmpty() ? DEFAULT_POLICY : properties.path();
    RulesPolicy policy = location.startsWith(CLASSPATH)
        ? fromClasspath(location)
        : RulesPolicy.load(Path.of(location));
    log.info("Loaded policy {}: {} rules, revision {}", location, policy.ruleIds().size(),
        policy.revision());
    return policy;
  }

  private static RulesPolicy fromClasspath(String location) {
    ClassPathResource resource = new ClassPathResource(location.substring(CLASSPATH.length()));
    try (InputStream in = resource.getInputStream()) {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(in.readAllBytes()))
          .toString();
      return RulesPolicy.parse(location, text);
    } catch (IOException e) {
      throw new PolicyLoadException("Policy file " + location + ": cannot be read: " + e, e);
    }
  }
}
