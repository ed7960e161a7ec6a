package dev.authoraization.redteam;

import static dev.authoraization.support.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;

import dev.authoraization.audit.AuditLog;
import dev.authoraization.audit.AuditRecord;
import dev.authoraization.credential.LinkedTokenVault;
import dev.authoraization.credential.SecretKind;
import dev.authoraization.credential.tink.VaultStore;
import dev.authoraization.sandbox.SandboxApp;
import dev.authoraization.support.SandboxEngineIT;
import dev.authoraization.support.TestTokens;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Invariant 1 for the built-in vault, end to end on the embedded defaults: a real token (the
 * sandbox forge's personal access token, which the forge accepts) is stored encrypted as Alice's
 * linked GitHub token and used by real tool calls through the REST door, the GitHub client and the
 * sandbox. It must appear in no response, header, log line, audit record or database table. Bob
 * has no linked token, so his call uses the service App under the fallback, and the audit says so:
 * both are on by default with the sandbox forge (application.yml), which this test relies on.
 */
@Tag("redteam")
@ExtendWith(OutputCaptureExtension.class)
class VaultCredentialCanaryIT extends SandboxEngineIT {

  static final String ALICE = token("alice", "developer");
  static final String BOB = token("bob", "developer");

  @Autowired
  VaultStore vault;

  @Autowired
  SandboxApp sandbox;

  @Autowired
  AuditLog audit;

  @Autowired
  JdbcTemplate jdbc;

  /** The context is shared with the other sandbox tests: Alice goes back to having no linked token. */
  @AfterEach
  void unlink() {
    vault.remove(LinkedTokenVault.SECRET_ID, TestTokens.ISSUER + "#alice");
  }

  @Test
  void linkedTokenFromTheVaultWorksForItsOwnerAndLeaksNowhere(CapturedOutput output) throws IOException {
    LoggerFactory.getLogger(VaultCredentialCanaryIT.class).warn("vault canary scan: log capture works");
    String canary = Files.readString(sandbox.personalTokenPath(), StandardCharsets.US_ASCII).strip();
    assertThat(canary).startsWith("ghp_");
    vault.put(LinkedTokenVault.SECRET_ID, TestTokens.ISSUER + "#alice", SecretKind.LINKED_TOKEN, canary);
    List<Response> responses = new ArrayList<>();

    Response read = call("list_issues", "{\"owner\":\"demo\",\"repo\":\"webapp\",\"labels\":\"bug\"}", ALICE);
    responses.add(read);
    Response comment = call("comment_on_issue",
        "{\"owner\":\"demo\",\"repo\":\"webapp\",\"issue_number\":2,\"body\":\"Seen with my own token.\"}", ALICE);
    responses.add(comment);
    Response fallback = call("list_issues", "{\"owner\":\"demo\",\"repo\":\"webapp\"}", BOB);
    responses.add(fallback);
    responses.add(call("get_issue", "{\"owner\":\"demo\",\"repo\":\"webapp\",\"issue_number\":999999}", ALICE));
    responses.add(get("/api/v1/audit/verify", token("admin", "approver")));

    assertThat(read.status()).as(read.raw().body()).isEqualTo(200);
    assertThat(read.body().path("result").path("issues").size()).isEqualTo(3);
    assertThat(comment.status()).as(comment.raw().body()).isEqualTo(200);
    assertThat(fallback.status()).as(fallback.raw().body()).isEqualTo(200);

    List<AuditRecord> records = audit.recent(10000);
    assertThat(records).filteredOn(r -> r.entry().event().equals("call.executed") && r.entry().subject().equals("alice"))
        .isNotEmpty().allSatisfy(r -> assertThat(r.entry().credential()).startsWith("linked github token of alice"));
    assertThat(records).filteredOn(r -> r.entry().event().equals("call.executed") && r.entry().subject().equals("bob"))
        .singleElement().satisfies(r -> assertThat(r.entry().credential())
            .startsWith(LinkedTokenVault.FALLBACK_MARKER + ": bob has no linked github identity")
            .contains("github-app installation token"));

    List<String> forms = List.of(canary, HexFormat.of().formatHex(canary.getBytes(StandardCharsets.UTF_8)),
        java.util.Base64.getEncoder().encodeToString(canary.getBytes(StandardCharsets.UTF_8)));
    JsonMapper json = JsonMapper.builder().build();
    for (String form : forms) {
      for (Response r : responses) {
        assertThat(r.raw().body()).as(r.raw().uri().toString()).doesNotContain(form);
        assertThat(r.raw().headers().map().toString()).doesNotContain(form);
      }
      for (AuditRecord record : records) {
        assertThat(json.writeValueAsString(record.entry())).doesNotContain(form);
      }
      assertThat(everyValueInTheDatabase()).doesNotContain(form);
    }
    assertThat(output.getAll()).contains("vault canary scan: log capture works").doesNotContain(canary);
  }

  /** Every row of every table, as text and as hex of its bytes: what a thief with a dump would read. */
  private String everyValueInTheDatabase() {
    StringBuilder all = new StringBuilder();
    List<String> tables = jdbc.queryForList(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'", String.class);
    assertThat(tables).contains("vault_credential");
    assertThat(jdbc.queryForObject("SELECT count(*) FROM vault_credential", Integer.class)).isPositive();
    for (String table : tables) {
      for (Map<String, Object> row : jdbc.queryForList("SELECT * FROM \"" + table + "\"")) {
        row.values().forEach(value -> all.append(value instanceof byte[] bytes
            ? new String(bytes, StandardCharsets.ISO_8859_1) + " " + HexFormat.of().formatHex(bytes)
            : String.valueOf(value)).append('\n'));
      }
    }
    return all.toString();
  }

  private Response call(String tool, String arguments, String bearer) {
    return post("/api/v1/tool-calls", "{\"tool\":\"" + tool + "\",\"arguments\":" + arguments + "}", bearer);
  }

}
