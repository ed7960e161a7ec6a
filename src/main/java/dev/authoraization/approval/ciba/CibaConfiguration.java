package dev.authoraization.approval.ciba;

import dev.authoraization.approval.Approvals;
import dev.authoraization.dependency.ResilienceProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Locale;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The CIBA approval channel, when {@code engine.approvals.ciba.enabled=true}; checked once at start. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "engine.approvals.ciba", name = "enabled", havingValue = "true")
@EnableConfigurationProperties(ResilienceProperties.class)
class CibaConfiguration {

  @Bean
  CibaApprovalChannel cibaApprovalChannel(CibaProperties properties, ResilienceProperties resilience,
      ObjectProvider<Approvals> approvals, Clock clock, MeterRegistry meters) {
    return CibaApprovalChannel.create(properties.validate(), resilience, approvals::getObject, clock,
        outcome -> meters.counter("engine.approval.ciba.outcomes",
            "kind", outcome.kind().name().toLowerCase(Locale.ROOT)).increment());
  }
}
