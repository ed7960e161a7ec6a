package dev.authoraization.web;

import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.sandbox.SandboxDemo;
import io.swagger.v3.oas.annotations.Operation;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Sandbox only: a fresh mergeable pull request in {@code demo/webapp}, for the next demo run. */
@RestController
@RequestMapping("/api/v1/sandbox")
class SandboxDemoController {

  private final ObjectProvider<SandboxDemo> demo;

  SandboxDemoController(ObjectProvider<SandboxDemo> demo) {
    this.demo = demo;
  }

  record Primed(String repository, int pullNumber) {}

  @Operation(summary = "Create a fresh mergeable pull request in the sandbox forge (sandbox only)")
  @PostMapping("/prime-demo")
  ResponseEntity<Primed> prime() {
    SandboxDemo sandbox = demo.getIfAvailable();
    if (sandbox == null) {
      throw new GatewayException(ErrorCode.NOT_FOUND, "The sandbox forge is off (engine.sandbox.enabled=false).",
          Map.of("reason", "sandbox_disabled"));
    }
    return ResponseEntity.status(201).body(new Primed("demo/webapp", sandbox.prime()));
  }
}
