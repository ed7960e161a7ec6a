package dev.authoraization.approval.ciba;

import dev.authoraization.approval.Approvals;
import dev.authoraization.dependency.ResilienceProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The CIBA approval channel, when {@code engine.approvals.ciba.enabled=true}; checked once at start.
 * Poll mode unless {@code engine.approvals.ciba.delivery-mode=ping} (with {@code public-url}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "engine.approvals.ciba", name = "enabled", havingValue = "true")
@EnableConfigurationProperties(ResilienceProperties.class)
class CibaConfiguration {

  private static final Logger log = LoggerFactory.getLogger(CibaConfiguration.class);

  @Bean
  CibaApprovalChannel cibaApprovalChannel(CibaProperties properties, ResilienceProperties resilience,
      ObjectProvider<Approvals> approvals, Clock clock, MeterRegistry meters) {
    CibaProperties valid = properties.validate();
    boolean ping = valid.deliveryMode() == CibaProperties.DeliveryMode.PING;
    if (ping) {
      log.info("CIBA ping mode: the client {} must be registered at {} in ping mode with notification endpoint {}",
          valid.clientId(), valid.issuer(), valid.notificationEndpoint());
    }
    return CibaApprovalChannel.create(valid, resilience, approvals::getObject, clock,
        outcome -> meters.counter("engine.approval.ciba.outcomes",
            "kind", outcome.kind().name().toLowerCase(Locale.ROOT)).increment()).ping(ping);
  }
}
