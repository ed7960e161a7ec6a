package dev.authoraization.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class McpPropertiesTests {

  @Test
  void defaultsWaitBelowTheUsualClientTimeoutAndDeriveTheResourceFromTheRequest() {
    McpProperties defaults = new McpProperties(null, null, null, null);

    assertThat(defaults.resource()).isEmpty();
    assertThat(defaults.maxWait()).isEqualTo(Duration.ofSeconds(50));
    assertThat(defaults.progressInterval()).isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  void resourceThatIsNotAnAbsoluteUrlIsRefusedAtStartUp() {
    assertThatThrownBy(() -> new McpProperties("authoraization-engine", null, null, null))
        .hasMessageContaining("RFC 9728");
    assertThatThrownBy(() -> new McpProperties("https://engine.example.com/mcp#x", null, null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new McpProperties("https://engine.example.com/mcp", null, null, null).resource())
        .isEqualTo("https://engine.example.com/mcp");
  }
}
