package dev.authoraization.tool.github;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.tool.ToolCatalog;
import dev.authoraization.tool.ToolDescriptor;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class GitHubConfigurationTests {

  private final ApplicationContextRunner context = new ApplicationContextRunner()
      .withUserConfiguration(GitHubConfiguration.class, GitHubToolProvider.class, ToolCatalog.class);

  @Test
  void catalogOffersEveryGitHubToolWithoutAnyConfiguration() {
    context.run(started -> {
      assertThat(started).hasNotFailed();
      assertThat(started.getBean(ToolCatalog.class).descriptors()).extracting(ToolDescriptor::name)
          .containsExactly("comment_on_issue", "get_file_contents", "get_issue", "get_pull_request",
              "list_issues", "list_pull_requests", "list_repositories", "merge_pull_request");
      assertThat(started.getBean(GitHubProperties.class).apiUrl()).isEqualTo(URI.create("https://api.github.com"));
    });
  }

  @Test
  void enterpriseServerIsReachedThroughItsApiUrl() {
    context.withPropertyValues("engine.github.api-url=https://ghe.example.com/api/v3", "engine.github.request-timeout=10s")
        .run(started -> {
          GitHubClient client = started.getBean(GitHubClient.class);
          assertThat(client.uri("/repos/demo/webapp/pulls/7", java.util.Map.of()))
              .isEqualTo(URI.create("https://ghe.example.com/api/v3/repos/demo/webapp/pulls/7"));
          assertThat(started.getBean(GitHubProperties.class).toString()).doesNotContain("ghp_");
        });
  }

  @Test
  void apiUrlThatIsNotHttpFailsAtStart() {
    context.withPropertyValues("engine.github.api-url=ftp://ghe.example.com")
        .run(started -> assertThat(started).hasFailed().getFailure().rootCause().hasMessageContaining("engine.github.api-url"));
  }

  @Test
  void propertiesNeverPrintTheToken() {
    context.withPropertyValues("engine.github.token=ghp_SecretCanary")
        .run(started -> assertThat(started.getBean(GitHubProperties.class).toString()).doesNotContain("ghp_SecretCanary"));
  }
}
