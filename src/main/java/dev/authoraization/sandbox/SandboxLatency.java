package dev.authoraization.sandbox;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Holds back every answer of the sandbox GitHub API by a fixed time ({@code engine.sandbox.latency}),
 * so that a benchmark or a demo sees a forge that takes time to answer, as api.github.com does,
 * instead of one on the same machine that answers in a millisecond. Registered before the
 * sandbox's authentication, so refusals wait too. Requests run on virtual threads: a held-back
 * answer holds no platform thread.
 */
final class SandboxLatency implements HandlerInterceptor {

  private final Duration latency;

  SandboxLatency(Duration latency) {
    this.latency = latency;
  }

  @Override
  public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
    try {
      Thread.sleep(latency);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the server is stopping: answer now
    }
    return true;
  }
}
