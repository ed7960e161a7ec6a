package dev.authoraization.redteam;

import static dev.authoraization.support.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.authoraization.call.ToolCall;
import dev.authoraization.identity.BuiltInIssuer;
import dev.authoraization.identity.embedded.SigningKeyStore;
import dev.authoraization.support.EngineIT;
import dev.authoraization.support.TestTokens;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Invariant 4 (approval is bound) and 6 (exactly once), attacked through the REST door of the
 * whole engine. Each test uses its own repository name, so counts of executions are its own.
 */
@Tag("redteam")
class ApprovalBindingAttacksIT extends EngineIT {

  static final String ALICE = token("alice", "developer");
  static final String ADMIN = token("admin", "approver");
  static final String CAROL = token("carol", "approver");

  @Autowired
  SigningKeyStore embeddedKeys;

  @Autowired
  BuiltInIssuer embeddedIssuer;

  @Test
  void aCallWithOtherArgumentsGetsItsOwnApprovalAndDoesNotRunOnAnotherApproval() {
    String repo = repo();
    Response first = park(repo, ALICE);
    approve(first, ADMIN);
    assertThat(waitFor(id(first)).path("state").asString()).isEqualTo("EXECUTED");

    Response tampered = park(repo + "-evil", ALICE);

    assertThat(tampered.status()).isEqualTo(202);
    assertThat(id(tampered)).isNotEqualTo(id(first));
    assertThat(fingerprint(tampered)).isNotEqualTo(fingerprint(first));
    assertThat(get("/api/v1/approvals/" + id(tampered), ALICE).body().path("state").asString()).isEqualTo("PENDING");
    assertThat(runsOf(repo + "-evil")).isZero();
    assertThat(runsOf(repo)).isEqualTo(1);
  }

  @Test
  void anApprovalForOnePullRequestCannotBeSpentOnAnother() {
    Response one = park(repo(), ALICE);
    Response other = park(repo(), ALICE);

    Response crossed = decide(id(other), "approve", fingerprint(one), ADMIN);

    assertThat(crossed.status()).isEqualTo(409);
    assertThat(crossed.body().path("code").asString()).isEqualTo("fingerprint_mismatch");
    assertThat(get("/api/v1/approvals/" + id(other), ALICE).body().path("state").asString()).isEqualTo("PENDING");
    assertThat(get("/api/v1/approvals/" + id(one), ALICE).body().path("state").asString()).isEqualTo("PENDING");
  }

  @Test
  void mergeWhenHeadMovedAfterTheRequestThenTheApprovedRunIsRefusedAndNothingRuns() {
    String repo = repo();
    Response parked = park(repo, ALICE);
    tools.moveHead(repo, "head-2"); // a new push after the approver was shown head-1

    approve(parked, ADMIN);
    var done = waitFor(id(parked));

    assertThat(done.path("state").asString()).isEqualTo("FAILED");
    assertThat(done.path("reason").asString()).isEqualTo("precondition_failed");
    assertThat(runsOf(repo)).isZero();
  }

  @Test
  void replayingTheSameApproversDecisionIsRefusedAndTheCallRunsOnce() {
    String repo = repo();
    Response parked = park(repo, ALICE);
    assertThat(approve(parked, ADMIN).status()).isEqualTo(200);

    Response replay = approve(parked, ADMIN);

    assertThat(replay.status()).isEqualTo(409);
    assertThat(waitFor(id(parked)).path("state").asString()).isEqualTo("EXECUTED");
    assertThat(runsOf(repo)).isEqualTo(1);
  }

  @Test
  void anAgentActingForAnApproverCannotApproveItsOwnRequest() {
    String dana = TestTokens.sign(TestTokens.claims("dana", "developer", "approver").claim("azp", "demo-agent").build());
    Response parked = park(repo(), dana);

    Response r = approve(parked, token("dana", "approver"));

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.body().path("code").asString()).isEqualTo("self_approval");
  }

  @Test
  void aRoleThatOnlyLooksLikeTheApproverRoleIsNotEligible() {
    Response parked = park(repo(), ALICE);

    for (String lookalike : List.of("Approver", "approver ", "approvers", "ROLE_approver", "auditor")) {
      Response r = approve(parked, token("eve", lookalike));
      assertThat(r.status()).as(lookalike).isEqualTo(403);
      assertThat(r.body().path("code").asString()).as(lookalike).isEqualTo("not_eligible_approver");
    }
    assertThat(get("/api/v1/approvals/" + id(parked), ALICE).body().path("votes").size()).isZero();
  }

  @Test
  void theApproverRoleInAClaimThatIsNotTheRolesClaimIsIgnored() {
    Response parked = park(repo(), ALICE);
    String groups = TestTokens.sign(TestTokens.claims("eve", "developer").claim("groups", List.of("approver"))
        .claim("realm_access", java.util.Map.of("roles", List.of("approver"))).build());

    Response r = approve(parked, groups);

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.body().path("code").asString()).isEqualTo("not_eligible_approver");
  }

  @Test
  void approvalAfterADenyIsRefusedAndNothingRuns() {
    String repo = repo();
    Response parked = park(repo, ALICE);
    assertThat(decide(id(parked), "deny", fingerprint(parked), CAROL).status()).isEqualTo(200);

    Response late = approve(parked, ADMIN);

    assertThat(late.status()).isEqualTo(409);
    assertThat(late.body().path("code").asString()).isEqualTo("approval_not_pending");
    assertThat(get("/api/v1/approvals/" + id(parked), ALICE).body().path("state").asString()).isEqualTo("DENIED");
    assertThat(runsOf(repo)).isZero();
  }

  @Test
  void approveAndDenyRacingThenExactlyOneWinsAndTheOutcomeMatchesIt() throws Exception {
    for (int round = 0; round < 10; round++) {
      String repo = repo();
      Response parked = park(repo, ALICE);
      CountDownLatch start = new CountDownLatch(1);
      try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
        Future<Response> approve = pool.submit(() -> { start.await(); return approve(parked, ADMIN); });
        Future<Response> deny = pool.submit(() -> { start.await(); return decide(id(parked), "deny", fingerprint(parked), CAROL); });
        start.countDown();
        int approved = approve.get().status();
        int denied = deny.get().status();

        assertThat(List.of(approved, denied)).containsExactlyInAnyOrder(200, 409);
        String end = waitFor(id(parked)).path("state").asString();
        if (approved == 200) {
          assertThat(end).isEqualTo("EXECUTED");
          assertThat(runsOf(repo)).isEqualTo(1);
        } else {
          assertThat(end).isEqualTo("DENIED");
          assertThat(runsOf(repo)).isZero();
        }
      }
    }
  }

  @Test
  void approvalOfACancelledRequestIsRefusedAndNothingRuns() {
    String repo = repo();
    Response parked = park(repo, ALICE);
    assertThat(post("/api/v1/approvals/" + id(parked) + "/cancel", "", ALICE).status()).isEqualTo(200);

    Response r = approve(parked, ADMIN);

    assertThat(r.status()).isEqualTo(409);
    assertThat(r.body().path("code").asString()).isEqualTo("approval_cancelled");
    assertThat(runsOf(repo)).isZero();
  }

  @Test
  void fiftyParallelWaitersOnAnApprovedRequestSeeOneExecution() throws Exception {
    String repo = repo();
    Response parked = park(repo, ALICE);
    approve(parked, ADMIN);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Response>> waits = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 50; i++) {
        String who = i % 2 == 0 ? ALICE : ADMIN;
        Callable<Response> waiter = () -> {
          start.await();
          return get("/api/v1/approvals/" + id(parked) + "?wait=10", who);
        };
        waits.add(pool.submit(waiter));
      }
      start.countDown();
      for (Future<Response> w : waits) {
        assertThat(w.get().status()).isEqualTo(200);
        assertThat(w.get().body().path("state").asString()).isEqualTo("EXECUTED");
      }
    }
    assertThat(runsOf(repo)).isEqualTo(1);
  }

  @Test
  void theSameSubjectFromAnotherTrustedIssuerIsNotTheRequester() throws JOSEException {
    Response parked = park(repo(), ALICE);
    String otherAlice = embeddedToken("alice", "developer");
    assertThat(get("/api/v1/tools", otherAlice).status()).as("the other issuer is trusted").isEqualTo(200);

    Response seen = get("/api/v1/approvals/" + id(parked), otherAlice);
    Response cancelled = post("/api/v1/approvals/" + id(parked) + "/cancel", "", otherAlice);

    assertThat(seen.status()).isEqualTo(404);
    assertThat(cancelled.status()).isIn(403, 404);
    assertThat(get("/api/v1/approvals/" + id(parked), ALICE).body().path("state").asString()).isEqualTo("PENDING");
  }

  @Test
  void anAgentsClientCredentialsTokenCanNeverApprove() {
    Response parked = park(repo(), ALICE);
    String agent = TestTokens.sign(TestTokens.claims("demo-agent", "developer").claim("client_id", "demo-agent").build());

    Response r = approve(parked, agent);

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.body().path("code").asString()).isEqualTo("not_eligible_approver");
    assertThat(get("/api/v1/approvals", agent).body().findValuesAsString("id")).doesNotContain(id(parked));
  }

  @Test
  void anApprovalIdGuessedByAnotherUserIsIndistinguishableFromANonExistentOne() {
    Response parked = park(repo(), ALICE);
    String bob = token("bob", "developer");

    Response guessed = get("/api/v1/approvals/" + id(parked) + "?wait=1", bob);
    Response missing = get("/api/v1/approvals/" + UUID.randomUUID(), bob);

    assertThat(guessed.status()).isEqualTo(404);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(guessed.body().path("code").asString()).isEqualTo(missing.body().path("code").asString());
    assertThat(guessed.raw().body()).doesNotContain("demo/").doesNotContain("alice");
  }

  @Test
  void anIdempotencyKeyReusedWithOtherArgumentsIsRefusedAndCreatesNothing() {
    String key = UUID.randomUUID().toString();
    String repo = repo();
    Response first = send(repo, ALICE, key);
    Response same = send(repo, ALICE, key);

    Response other = send(repo + "-evil", ALICE, key);

    assertThat(same.status()).isEqualTo(202);
    assertThat(id(same)).isEqualTo(id(first));
    assertThat(other.status()).isEqualTo(400);
    assertThat(other.body().path("code").asString()).isEqualTo("invalid_arguments");
    assertThat(get("/api/v1/approvals", ADMIN).body().findValuesAsString("resource")).doesNotContain(repo + "-evil");
  }

  @Test
  void anAgentSupplyingTheBoundPreconditionItselfIsRefused() {
    String repo = repo();
    Response r = post("/api/v1/tool-calls", "{\"tool\":\"merge_change\",\"arguments\":{\"repo\":\"" + repo
        + "\",\"expected_head\":\"head-attacker\"}}", ALICE);

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body().path("code").asString()).isEqualTo("invalid_arguments");
    assertThat(get("/api/v1/approvals", ADMIN).body().findValuesAsString("resource")).doesNotContain(repo);
  }

  @Test
  void aDecisionWithoutTheFingerprintIsRefused() {
    Response parked = park(repo(), ALICE);

    Response none = post("/api/v1/approvals/" + id(parked) + "/decision", "{\"verdict\":\"approve\"}", ADMIN);
    Response prefix = decide(id(parked), "approve", fingerprint(parked).substring(0, 32), ADMIN);

    assertThat(none.status()).isEqualTo(400);
    assertThat(prefix.status()).isEqualTo(400);
    assertThat(get("/api/v1/approvals/" + id(parked), ALICE).body().path("state").asString()).isEqualTo("PENDING");
  }

  // --- helpers

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private String repo() {
    return "demo/rt-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private Response park(String repo, String token) {
    Response r = post("/api/v1/tool-calls", merge(repo), token);
    assertThat(r.status()).as(r.raw().body()).isEqualTo(202);
    return r;
  }

  private Response send(String repo, String token, String key) {
    try {
      HttpResponse<String> raw = HTTP.send(HttpRequest.newBuilder(uri("/api/v1/tool-calls"))
          .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
          .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(merge(repo))).build(),
          HttpResponse.BodyHandlers.ofString());
      return new Response(raw.statusCode(), JSON.readTree(raw.body()), raw);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String merge(String repo) {
    return "{\"tool\":\"merge_change\",\"arguments\":{\"repo\":\"" + repo + "\"}}";
  }

  private Response approve(Response parked, String token) {
    return decide(id(parked), "approve", fingerprint(parked), token);
  }

  private Response decide(String id, String verdict, String fingerprint, String token) {
    return post("/api/v1/approvals/" + id + "/decision",
        "{\"verdict\":\"" + verdict + "\",\"fingerprint\":\"" + fingerprint + "\"}", token);
  }

  private tools.jackson.databind.JsonNode waitFor(String id) {
    return get("/api/v1/approvals/" + id + "?wait=10", ALICE).body();
  }

  private long runsOf(String repo) {
    return tools.executed.stream().map(ToolCall::arguments).filter(a -> a.path("repo").asString().equals(repo)).count();
  }

  private static String id(Response r) {
    return r.body().path("approval_id").asString();
  }

  private static String fingerprint(Response r) {
    return r.body().path("fingerprint").asString();
  }

  /** A token of the engine's own embedded issuer, the second trusted issuer in this context. */
  private String embeddedToken(String subject, String... roles) throws JOSEException {
    RSAKey key = embeddedKeys.signingKey();
    Instant now = Instant.now();
    JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(embeddedIssuer.issuer().uri()).subject(subject)
        .audience(TestTokens.AUDIENCE).issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)))
        .claim("roles", List.of(roles)).build();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }
}
