package dev.authoraization.support;

import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.call.ToolCall;
import dev.authoraization.call.ToolResult;
import dev.authoraization.credential.Credential;
import dev.authoraization.credential.CredentialNeed;
import dev.authoraization.credential.CredentialRequest;
import dev.authoraization.credential.CredentialVault;
import dev.authoraization.tool.Risk;
import dev.authoraization.tool.ToolDescriptor;
import dev.authoraization.tool.ToolProvider;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * In-memory stand-ins for the GitHub provider and a vault: {@code read_notes} (READ) and
 * {@code merge_change} (DESTRUCTIVE, bound to the change's current {@code head}). They count
 * what ran and which credentials were issued and closed.
 */
public final class FakeTools implements ToolProvider, CredentialVault {

  /** A marker secret: it must never appear in any output. */
  public static final String CANARY = "canary-secret-7f3a9c1e5b";

  private static final JsonMapper JSON = JsonMapper.builder().build();

  public final AtomicInteger executions = new AtomicInteger();
  public final AtomicInteger issued = new AtomicInteger();
  public final AtomicInteger closed = new AtomicInteger();
  public final List<CredentialRequest> requests = new CopyOnWriteArrayList<>();
  public final List<ToolCall> executed = new CopyOnWriteArrayList<>();
  /** Runs at the start of each execution: a test may block here to hold calls in progress. */
  public volatile Runnable beforeExecute = () -> { };
  private final Map<String, String> heads = new ConcurrentHashMap<>();

  /** Moves a change's head, as a new push to a pull request would. */
  public void moveHead(String resource, String head) {
    heads.put(resource, head);
  }

  @Override
  public List<ToolDescriptor> tools() {
    return List.of(
        new ToolDescriptor("read_notes", "Reads notes of a repository", schema(), Risk.READ,
            new CredentialNeed("fake", Map.of("contents", "read"))),
        new ToolDescriptor("merge_change", "Merges a change", schema(), Risk.DESTRUCTIVE,
            new CredentialNeed("fake", Map.of("contents", "write"))));
  }

  @Override
  public String resource(ToolCall call) {
    if (!call.arguments().path("repo").isString()) {
      throw new GatewayException(ErrorCode.INVALID_ARGUMENTS, "repo is required");
    }
    return call.arguments().path("repo").asString();
  }

  @Override
  public Map<String, String> preconditions(ToolCall call, Credential readOnly) {
    if (call.tool().equals("merge_change")) {
      return Map.of("expected_head", heads.getOrDefault(resource(call), "head-1"));
    }
    return Map.of();
  }

  @Override
  public ToolResult execute(ToolCall call, Credential credential) {
    if (!credential.secret().equals(CANARY)) {
      throw new IllegalStateException("credential not issued by this vault");
    }
    beforeExecute.run();
    executions.incrementAndGet();
    executed.add(call);
    ObjectNode result = JSON.createObjectNode();
    result.put("tool", call.tool());
    result.put("repo", resource(call));
    return new ToolResult(result);
  }

  @Override
  public boolean supports(String kind) {
    return kind.equals("fake");
  }

  @Override
  public Credential issue(CredentialRequest request) {
    issued.incrementAndGet();
    requests.add(request);
    return new Credential(CANARY, "fake token (" + request.resource() + "; " + request.need().permissions() + ")",
        false, Instant.now().plusSeconds(60), closed::incrementAndGet);
  }

  private static ObjectNode schema() {
    ObjectNode schema = JSON.createObjectNode();
    schema.put("type", "object");
    schema.putObject("properties").putObject("repo").put("type", "string");
    schema.putArray("required").add("repo");
    return schema;
  }
}
