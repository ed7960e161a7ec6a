package dev.authoraization.approval.ciba;

import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.approval.ApprovalChannel;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class CibaConfigurationTests {

  static final String SECRET = "s3cr3t-value-" + System.nanoTime();

  final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withUserConfiguration(Infrastructure.class, CibaConfiguration.class);

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(CibaProperties.class)
  static class Infrastructure {
    @Bean
    Clock clock() {
      return Clock.systemUTC();
    }

    @Bean
    MeterRegistry meters() {
      return new SimpleMeterRegistry();
    }
  }

  @Test
  void channelIsOffByDefault() {
    runner.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ApprovalChannel.class));
  }

  @Test
  void enabledWithIssuerClientAndApproversThenTheChannelIsAnApprovalChannel() {
    runner.withPropertyValues("engine.approvals.ciba.enabled=true",
            "engine.approvals.ciba.issuer=https://tenant.example/", "engine.approvals.ciba.client-id=engine",
            "engine.approvals.ciba.client-secret=" + SECRET, "engine.approvals.ciba.provider=auth0",
            "engine.approvals.ciba.approvers.approver[0]=auth0|admin", "engine.approvals.ciba.default-interval=2s")
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(ApprovalChannel.class);
          CibaProperties properties = context.getBean(CibaProperties.class);
          assertThat(properties.provider()).isEqualTo(CibaProperties.Provider.AUTH0);
          assertThat(properties.rolesClaim()).isEqualTo("roles");
          assertThat(properties.defaultInterval()).isEqualTo(Duration.ofSeconds(2));
          assertThat(properties.hintsFor(java.util.Set.of("approver", "nobody"))).containsExactly("auth0|admin");
          assertThat(properties.toString()).doesNotContain(SECRET);
        });
  }

  @Test
  void keycloakReadsRolesFromRealmAccessByDefault() {
    runner.withPropertyValues("engine.approvals.ciba.provider=keycloak")
        .run(context -> assertThat(context.getBean(CibaProperties.class).rolesClaim()).isEqualTo("realm_access.roles"));
  }

  @Test
  void enabledWithoutAClientSecretThenStartFailsNamingTheProperty() {
    runner.withPropertyValues("engine.approvals.ciba.enabled=true", "engine.approvals.ciba.issuer=https://kc/realms/r",
            "engine.approvals.ciba.client-id=engine", "engine.approvals.ciba.approvers.approver[0]=admin")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageContaining("engine.approvals.ciba.client-secret"));
  }

  @Test
  void enabledWithNobodyToAskThenStartFails() {
    runner.withPropertyValues("engine.approvals.ciba.enabled=true", "engine.approvals.ciba.issuer=https://kc/realms/r",
            "engine.approvals.ciba.client-id=engine", "engine.approvals.ciba.client-secret=" + SECRET)
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageContaining("engine.approvals.ciba.approvers").message().doesNotContain(SECRET));
  }

  static final String[] KEYCLOAK = {"engine.approvals.ciba.enabled=true",
      "engine.approvals.ciba.issuer=https://kc.example/realms/r", "engine.approvals.ciba.client-id=engine",
      "engine.approvals.ciba.client-secret=" + SECRET, "engine.approvals.ciba.provider=keycloak",
      "engine.approvals.ciba.approvers.approver[0]=admin"};

  @Test
  void externalProviderPollsByDefault() {
    runner.withPropertyValues(KEYCLOAK).run(context -> {
      assertThat(context).hasNotFailed();
      CibaProperties properties = context.getBean(CibaProperties.class);
      assertThat(properties.deliveryMode()).isEqualTo(CibaProperties.DeliveryMode.POLL);
      assertThat(properties.notificationEndpoint()).isEmpty();
    });
  }

  @Test
  void pingWithoutThePublicUrlThenStartFailsSayingWhatToSet() {
    runner.withPropertyValues(KEYCLOAK).withPropertyValues("engine.approvals.ciba.delivery-mode=ping")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageContaining("engine.approvals.ciba.public-url").hasMessageContaining("/ciba/notify")
            .message().doesNotContain(SECRET));
  }

  @Test
  void pingWithAPublicUrlCarryingAQueryOrAnotherSchemeThenStartFails() {
    for (String url : new String[] {"ftp://engine.example", "https://engine.example/?x=1", "engine.example",
        "https://user:pw@engine.example"}) {
      runner.withPropertyValues(KEYCLOAK)
          .withPropertyValues("engine.approvals.ciba.delivery-mode=ping", "engine.approvals.ciba.public-url=" + url)
          .run(context -> assertThat(context).as(url).hasFailed().getFailure().rootCause()
              .hasMessageContaining("engine.approvals.ciba.public-url").message().doesNotContain("pw@"));
    }
  }

  @Test
  void pingWithAPublicUrlThenTheNotificationEndpointToRegisterIsThatUrlPlusCibaNotify() {
    runner.withPropertyValues(KEYCLOAK).withPropertyValues("engine.approvals.ciba.delivery-mode=ping",
            "engine.approvals.ciba.public-url=https://engine.example.com/")
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(CibaApprovalChannel.class);
          CibaProperties properties = context.getBean(CibaProperties.class);
          assertThat(properties.deliveryMode()).isEqualTo(CibaProperties.DeliveryMode.PING);
          assertThat(properties.notificationEndpoint()).isEqualTo("https://engine.example.com/ciba/notify");
        });
  }
}
