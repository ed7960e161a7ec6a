package dev.authoraization.policy.rules;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param path the policy file to load; empty loads the shipped
 *     {@code classpath:policy/default-policy.yaml}. A {@code classpath:} prefix is honoured.
 */
@ConfigurationProperties(prefix = "engine.policy")
public record PolicyProperties(@DefaultValue("") String path) {

  public PolicyProperties {
    path = path == null ? "" : path.strip();
  }
}
