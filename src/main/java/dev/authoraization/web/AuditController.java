package dev.authoraization.web;

import dev.authoraization.audit.AuditLog;
import dev.authoraization.audit.Verification;
import io.swagger.v3.oas.annotations.Operation;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The audit chain's verification status. */
@RestController
@RequestMapping("/api/v1/audit")
class AuditController {

  private final AuditLog audit;

  AuditController(AuditLog audit) {
    this.audit = audit;
  }

  @Operation(summary = "Verify the audit hash chain and report the first broken record")
  @GetMapping("/verify")
  Verification verify() {
    return audit.verify();
  }
}
