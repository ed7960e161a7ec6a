package dev.authoraization.tool.github;

import dev.authoraization.dependency.Dependency;
import dev.authoraization.dependency.Guard;
import dev.authoraization.dependency.ResilienceProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The GitHub client, built once from {@code engine.github.*}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({GitHubProperties.class, ResilienceProperties.class})
public class GitHubConfiguration {

  @Bean
  GitHubClient gitHubClient(GitHubProperties properties, ResilienceProperties resilience) {
    return new GitHubClient(properties, new Guard(Dependency.GITHUB, resilience));
  }
}
