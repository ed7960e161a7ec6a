package dev.authoraization.tool.github;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The GitHub client, built once from {@code engine.github.*}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(GitHubProperties.class)
public class GitHubConfiguration {

  @Bean
  GitHubClient gitHubClient(GitHubProperties properties) {
    return new GitHubClient(properties);
  }
}
