package dev.authoraization.call;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.erdtman.jcs.JsonCanonicalizer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The identity of one action: SHA-256 over the RFC 8785 (JSON Canonicalization Scheme) form of
 * {@code {"tool", "arguments", "preconditions"}}. An approval authorizes exactly one fingerprint.
 * See docs/adr/0002-canonical-fingerprint.md.
 */
public record Fingerprint(String hex) {

  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  public Fingerprint {
    Objects.requireNonNull(hex, "hex");
    if (!HEX.matcher(hex).matches()) {
      throw new IllegalArgumentException("a fingerprint is 64 lowercase hex digits");
    }
  }

  public static Fingerprint of(String tool, tools.jackson.databind.JsonNode arguments,
      Map<String, String> preconditions) {
    ObjectNode action = JSON.createObjectNode();
    action.put("tool", tool);
    action.set("arguments", arguments);
    ObjectNode pre = action.putObject("preconditions");
    preconditions.forEach(pre::put);
    return new Fingerprint(sha256(canonical(JSON.writeValueAsString(action))));
  }

  /** RFC 8785 canonical form of a JSON text. */
  public static String canonical(String json) {
    try {
      return new JsonCanonicalizer(json).getEncodedString();
    } catch (IOException | RuntimeException e) {
      throw new GatewayException(ErrorCode.INVALID_ARGUMENTS,
          "Arguments cannot be canonicalized: " + e.getMessage());
    }
  }

  public static String sha256(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return hex;
  }
}
