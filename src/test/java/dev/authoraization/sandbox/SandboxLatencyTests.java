package dev.authoraization.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.handler.MappedInterceptor;

/** engine.sandbox.latency: the sandbox forge answering as slowly as a remote GitHub would. */
class SandboxLatencyTests {

  @Test
  void answerWaitsAtLeastTheConfiguredLatencyAndThenProceeds() {
    long started = System.nanoTime();
    boolean proceed = new SandboxLatency(Duration.ofMillis(150))
        .preHandle(new MockHttpServletRequest(), new MockHttpServletResponse(), new Object());
    assertThat(proceed).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
  }

  @Test
  void latencyBindsFromConfigurationAndDefaultsToNone() {
    assertThat(bind(Map.of()).latency()).isZero();
    assertThat(bind(Map.of("engine.sandbox.latency", "50ms")).latency()).isEqualTo(Duration.ofMillis(50));
  }

  @Test
  void negativeOrOverlongLatencyRefusedWithTheSettingNamed() {
    assertThatThrownBy(() -> new SandboxProperties(true, Path.of("x"), "", Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("engine.sandbox.latency");
    assertThatThrownBy(() -> new SandboxProperties(true, Path.of("x"), "", Duration.ofSeconds(11)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("between 0s and 10s");
  }

  @Test
  void configuredLatencyRunsBeforeTheSandboxAuthenticationOnTheSandboxApiOnly() {
    List<MappedInterceptor> slow = interceptors(Duration.ofMillis(50));
    assertThat(slow).extracting(MappedInterceptor::getInterceptor)
        .hasExactlyElementsOfTypes(SandboxLatency.class, SandboxAuthInterceptor.class);
    assertThat(slow.getFirst().getIncludePathPatterns()).containsExactly(SandboxController.BASE + "/**");

    assertThat(interceptors(Duration.ZERO)).extracting(MappedInterceptor::getInterceptor)
        .hasExactlyElementsOfTypes(SandboxAuthInterceptor.class);
  }

  private static SandboxProperties bind(Map<String, String> values) {
    return new Binder(new MapConfigurationPropertySource(values))
        .bindOrCreate("engine.sandbox", SandboxProperties.class);
  }

  private static List<MappedInterceptor> interceptors(Duration latency) {
    Registry registry = new Registry();
    new SandboxConfiguration()
        .sandboxInterceptors(mock(SandboxApp.class), mock(SandboxTokens.class), mock(SandboxStore.class),
            new SandboxProperties(true, Path.of("x"), "", latency))
        .addInterceptors(registry);
    return registry.mapped();
  }

  /** Exposes what was registered, in order. */
  private static final class Registry extends InterceptorRegistry {
    List<MappedInterceptor> mapped() {
      return getInterceptors().stream().map(MappedInterceptor.class::cast).toList();
    }
  }
}
