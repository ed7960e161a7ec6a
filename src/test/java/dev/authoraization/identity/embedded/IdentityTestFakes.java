package dev.authoraization.identity.embedded;

import dev.authoraization.audit.AuditEntry;
import dev.authoraization.audit.AuditLog;
import dev.authoraization.audit.AuditRecord;
import dev.authoraization.audit.Verification;
import dev.authoraization.call.Decision;
import dev.authoraization.policy.Explanation;
import dev.authoraization.policy.Policy;
import dev.authoraization.policy.PolicyInput;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * TEST FAKES ONLY: a deny-all {@link Policy} and an in-memory {@link AuditLog}, so that the
 * application context starts on this branch, where the real policy and audit beans are not merged
 * yet. The identity tests only reach {@code GET /api/v1/tools}, which uses neither.
 */
@TestConfiguration(proxyBeanMethods = false)
class IdentityTestFakes {

  @Bean
  Policy denyAllTestPolicy() {
    return new Policy() {
      @Override
      public Decision decide(PolicyInput input) {
        return new Decision.Deny("test-fake", "no_matching_rule");
      }

      @Override
      public Explanation explain(PolicyInput input) {
        return new Explanation(decide(input), revision(), List.of());
      }

      @Override
      public String revision() {
        return "test-fake";
      }
    };
  }

  @Bean
  AuditLog inMemoryTestAuditLog() {
    return new AuditLog() {
      private final List<AuditRecord> records = new ArrayList<>();

      @Override
      public synchronized AuditRecord append(AuditEntry entry) {
        AuditRecord record = new AuditRecord(records.size() + 1, Instant.now(), entry, "", "");
        records.add(record);
        return record;
      }

      @Override
      public Verification verify() {
        return new Verification(true, records.size(), Optional.empty(), "ok");
      }

      @Override
      public synchronized List<AuditRecord> recent(int limit) {
        return List.copyOf(records.reversed().subList(0, Math.min(limit, records.size())));
      }
    };
  }
}
