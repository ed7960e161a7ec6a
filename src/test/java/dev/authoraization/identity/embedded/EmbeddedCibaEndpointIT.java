package dev.authoraization.identity.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.authoraization.approval.ciba.CibaClient;
import dev.authoraization.approval.ciba.CibaClient.PollResult;
import dev.authoraization.approval.ciba.CibaProperties;
import dev.authoraization.approval.ciba.CibaTokenVerifier;
import dev.authoraization.approval.ciba.CibaTokenVerifier.Asked;
import dev.authoraization.approval.ciba.CibaTokenVerifier.Result;
import dev.authoraization.call.Fingerprint;
import dev.authoraization.identity.embedded.ciba.EmbeddedCibaConfiguration;
import dev.authoraization.identity.embedded.ciba.BackchannelDecisions;
import dev.authoraization.identity.embedded.ciba.BackchannelRequests;
import dev.authoraization.identity.embedded.ciba.CibaGrant;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.web.client.RestTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The embedded provider's CIBA endpoint over real HTTP, driven by the engine's own CIBA client
 * and token verifier (the code that talks to Keycloak and Auth0): request, pending, the approver's
 * answer on the device, tokens, and the attacks on {@code auth_req_id}.
 */
class EmbeddedCibaEndpointIT extends EmbeddedProviderContext {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final String FINGERPRINT = "ab".repeat(32);

  private final Http http = new Http(ISSUER);

  @Autowired
  RegisteredClientRepository clients;

  @Autowired
  BackchannelDecisions device;

  @Autowired
  BackchannelRequests requests;

  /** A confidential CIBA client registered for this test, with its secret. */
  record Client(String id, String secret) {}

  Client register(Map<String, Object> settings) {
    String id = "ciba-" + UUID.randomUUID();
    String secret = "secret-" + UUID.randomUUID();
    ClientSettings.Builder clientSettings = ClientSettings.builder();
    settings.forEach(clientSettings::setting);
    clients.save(RegisteredClient.withId(UUID.randomUUID().toString()).clientId(id)
        .clientSecret(EmbeddedOpenIdProvider.clientSecrets().encode(secret))
        .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
        .authorizationGrantType(CibaGrant.TYPE).scope("openid").clientSettings(clientSettings.build()).build());
    return new Client(id, secret);
  }

  Client register() {
    return register(Map.of());
  }

  CibaClient cibaClient(Client client) {
    return new CibaClient(properties(client), CibaClient.httpClient(properties(client)));
  }

  static CibaProperties properties(Client client) {
    return new CibaProperties(true, ISSUER, "", "", "", client.id(), client.secret(), CibaProperties.Provider.GENERIC,
        Map.of("approver", List.of("admin")), "", true, Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(5), List.of());
  }

  static Map<String, String> ask(String loginHint) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("login_hint", loginHint);
    form.put("scope", "openid");
    form.put("binding_message", "AZ-ABABABAB merge_change on demo/webapp");
    form.put("authorization_details", "[{\"type\":\"authoraization_action\",\"tool\":\"merge_change\","
        + "\"resource\":\"demo/webapp\",\"fingerprint\":\"" + FINGERPRINT + "\"}]");
    return form;
  }

  HttpResponse<String> bcAuthorize(Client client, Map<String, String> form) {
    return http.postForm("/bc-authorize", form, "Authorization", Http.basic(client.id(), client.secret()));
  }

  HttpResponse<String> token(Client client, String authReqId) {
    return http.postForm("/oauth2/token", Map.of("grant_type", CibaGrant.TYPE.getValue(), "auth_req_id", authReqId),
        "Authorization", Http.basic(client.id(), client.secret()));
  }

  static String passkeyEvidence() {
    return "{\"channel\":\"passkey\",\"verified\":true,\"details\":{\"credential_id\":\"test\"}}";
  }

  @Test
  void discoveryAdvertisesTheBackchannelEndpointPollAndPingAndTheCibaGrant() {
    JsonNode discovery = Http.json(http.get("/.well-known/openid-configuration"));

    assertThat(discovery.path("backchannel_authentication_endpoint").asString()).isEqualTo(ISSUER + "/bc-authorize");
    assertThat(discovery.path("backchannel_token_delivery_modes_supported").toString()).contains("poll", "ping");
    assertThat(discovery.path("grant_types_supported").toString()).contains("urn:openid:params:grant-type:ciba");
  }

  @Test
  void approvedOnTheDeviceThenTheEnginesCibaClientGetsVerifiedTokensForTheApproverOnce() {
    Client client = register();
    CibaClient ciba = cibaClient(client);
    Instant sentAt = Instant.now();

    CibaClient.AuthRequest ack = ciba.authenticate(ask("admin"));
    PollResult before = ciba.poll(ack.authReqId());
    boolean answered = device.answer(ack.authReqId(), "admin", true, passkeyEvidence());
    PollResult after = ciba.poll(ack.authReqId());
    PollResult replay = ciba.poll(ack.authReqId());

    assertThat(before).isInstanceOf(PollResult.Pending.class);
    assertThat(answered).isTrue();
    assertThat(after).isInstanceOf(PollResult.Tokens.class);
    assertThat(replay).isEqualTo(new PollResult.Failed("invalid_grant"));
    Result verified = new CibaTokenVerifier(properties(client), ciba::endpoints, new RestTemplate())
        .verify((PollResult.Tokens) after, new Asked("admin", sentAt, new Fingerprint(FINGERPRINT)));
    assertThat(verified).isInstanceOf(Result.Verified.class);
    Result.Verified approver = (Result.Verified) verified;
    assertThat(approver.approver().subject()).isEqualTo("admin");
    assertThat(approver.approver().roles()).containsExactly("approver");
    assertThat(approver.idToken().getAudience()).containsExactly(client.id());
    assertThat(approver.idToken().<Object>getClaim("auth_time")).isNotNull();
    assertThat(approver.idToken().getClaimAsStringList("amr")).containsExactly("hwk", "user");
    assertThat(approver.idToken().<Map<String, Object>>getClaim("approval_evidence")).containsEntry("channel", "passkey");
    assertThat(approver.idToken().getClaimAsString("binding_message")).startsWith("AZ-ABABABAB");
  }

  @Test
  void clientSecretsKeepTheirCheapHashAfterUseSoEveryPollStaysFast() {
    Client client = register();
    CibaClient ciba = cibaClient(client);

    CibaClient.AuthRequest ack = ciba.authenticate(ask("admin"));
    assertThat(ciba.poll(ack.authReqId())).isInstanceOf(PollResult.Pending.class);

    // Spring Authorization Server re-hashes a secret below its encoder's cost after each use: at
    // cost 10 every poll then spent about 100 ms in bcrypt
    assertThat(clients.findByClientId(client.id()).getClientSecret()).startsWith("{bcrypt}$2a$04$");
  }

  @Test
  void tokensFromAnotherFingerprintAreRefusedByTheEnginesVerifier() {
    Client client = register();
    CibaClient ciba = cibaClient(client);
    Instant sentAt = Instant.now();
    CibaClient.AuthRequest ack = ciba.authenticate(ask("admin"));
    device.answer(ack.authReqId(), "admin", true, passkeyEvidence());

    Result result = new CibaTokenVerifier(properties(client), ciba::endpoints, new RestTemplate())
        .verify((PollResult.Tokens) ciba.poll(ack.authReqId()), new Asked("admin", sentAt, new Fingerprint("cd".repeat(32))));

    assertThat(result).isInstanceOf(Result.Refused.class);
  }

  @Test
  void deniedOnTheDeviceThenAccessDeniedAndALaterApprovalCannotOverturnIt() {
    Client client = register();
    CibaClient ciba = cibaClient(client);
    CibaClient.AuthRequest ack = ciba.authenticate(ask("admin"));

    assertThat(device.answer(ack.authReqId(), "admin", false, passkeyEvidence())).isTrue();
    boolean overturned = device.answer(ack.authReqId(), "admin", true, passkeyEvidence());

    assertThat(overturned).isFalse();
    assertThat(ciba.poll(ack.authReqId())).isInstanceOf(PollResult.Denied.class);
    assertThat(ciba.poll(ack.authReqId())).isInstanceOf(PollResult.Denied.class);
  }

  @Test
  void deniedWithAReasonThenAccessDeniedCarriesItInAnRfc6749ErrorDescription() {
    Client client = register();
    CibaClient ciba = cibaClient(client);
    CibaClient.AuthRequest ack = ciba.authenticate(ask("admin"));

    device.answer(ack.authReqId(), "admin", false,
        "{\"channel\":\"passkey\",\"verified\":true,\"details\":{},\"reason\":\"Zu früh \\\"heute\\\"\"}");

    assertThat(ciba.poll(ack.authReqId())).isEqualTo(new PollResult.Denied(java.util.Optional.of("Zu früh \"heute\"")));
  }

  @Test
  void unansweredUntilExpiryThenExpiredTokenAndTheDeviceCanNoLongerApprove() {
    Client client = register();
    Map<String, String> form = ask("admin");
    form.put("requested_expiry", "1");
    HttpResponse<String> ack = bcAuthorize(client, form);
    String id = Http.json(ack).path("auth_req_id").asString();
    assertThat(Http.json(ack).path("expires_in").asLong()).isEqualTo(1);

    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
        .until(() -> requests.find(id).orElseThrow().expired(Instant.now()));

    assertThat(device.answer(id, "admin", true, passkeyEvidence())).isFalse();
    assertThat(Http.json(token(client, id)).path("error").asString()).isEqualTo("expired_token");
  }

  @Test
  void anotherUserCannotAnswerARequestThatAsksTheApprover() {
    Client client = register();
    String id = Http.json(bcAuthorize(client, ask("admin"))).path("auth_req_id").asString();

    boolean byAlice = device.answer(id, "alice", true, passkeyEvidence());

    assertThat(byAlice).isFalse();
    assertThat(device.pendingFor("alice")).noneMatch(r -> r.authReqId().equals(id));
    assertThat(device.pendingFor("admin", FINGERPRINT)).anyMatch(r -> r.authReqId().equals(id));
    assertThat(Http.json(token(client, id)).path("error").asString()).isEqualTo("authorization_pending");
  }

  @Test
  void pollingFasterThanTheIntervalGetsSlowDown() {
    Client client = register();
    String id = Http.json(bcAuthorize(client, ask("admin"))).path("auth_req_id").asString();

    String first = Http.json(token(client, id)).path("error").asString();
    String second = Http.json(token(client, id)).path("error").asString();

    assertThat(first).isEqualTo("authorization_pending");
    assertThat(second).isEqualTo("slow_down");
  }

  @Test
  void anotherClientCannotRedeemTheAuthReqIdItDidNotAskFor() {
    Client owner = register();
    Client thief = register();
    String id = Http.json(bcAuthorize(owner, ask("admin"))).path("auth_req_id").asString();
    device.answer(id, "admin", true, passkeyEvidence());

    HttpResponse<String> stolen = token(thief, id);
    HttpResponse<String> guessed = token(owner, id.substring(1) + "A");
    HttpResponse<String> rightful = token(owner, id);

    assertThat(stolen.statusCode()).isEqualTo(400);
    assertThat(Http.json(stolen).path("error").asString()).isEqualTo("invalid_grant");
    assertThat(stolen.body()).doesNotContain("id_token");
    assertThat(Http.json(guessed).path("error").asString()).isEqualTo("invalid_grant");
    assertThat(rightful.statusCode()).as(rightful.body()).isEqualTo(200);
  }

  @Test
  void requestsThatCannotBeHonouredAreRefusedWithCibaErrorCodes() {
    Client client = register();
    Map<String, String> unknownUser = ask("nobody-" + UUID.randomUUID());
    Map<String, String> noOpenid = ask("admin");
    noOpenid.put("scope", "profile");
    Map<String, String> badDetails = ask("admin");
    badDetails.put("authorization_details", "[{\"type\":\"authoraization_action\",\"fingerprint\":\"x\"}]");
    Map<String, String> badBinding = ask("admin");
    badBinding.put("binding_message", "<script>alert(1)</script>");

    assertThat(Http.json(bcAuthorize(client, unknownUser)).path("error").asString()).isEqualTo("unknown_user_id");
    assertThat(Http.json(bcAuthorize(client, noOpenid)).path("error").asString()).isEqualTo("invalid_scope");
    assertThat(Http.json(bcAuthorize(client, badDetails)).path("error").asString())
        .isEqualTo("invalid_authorization_details");
    assertThat(Http.json(bcAuthorize(client, badBinding)).path("error").asString())
        .isEqualTo("invalid_binding_message");
  }

  @Test
  void aWrongSecretOrAClientWithoutTheCibaGrantIsRefused() {
    Client client = register();

    HttpResponse<String> wrongSecret = bcAuthorize(new Client(client.id(), client.secret() + "x"), ask("admin"));
    HttpResponse<String> demoAgent = bcAuthorize(new Client(FirstStart.AGENT_CLIENT, AGENT_SECRET), ask("admin"));

    assertThat(wrongSecret.statusCode()).isEqualTo(401);
    assertThat(Http.json(wrongSecret).path("error").asString()).isEqualTo("invalid_client");
    assertThat(wrongSecret.body()).doesNotContain("auth_req_id");
    assertThat(demoAgent.statusCode()).isEqualTo(400);
    assertThat(Http.json(demoAgent).path("error").asString()).isEqualTo("unauthorized_client");
  }

  @Test
  void pingModeTellsTheClientAtOnceWithItsNotificationToken() throws Exception {
    BlockingQueue<String[]> pings = new ArrayBlockingQueue<>(4);
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/ciba/notify", exchange -> {
      pings.add(new String[] {exchange.getRequestHeaders().getFirst("Authorization"),
          new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)});
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    receiver.start();
    try {
      Client client = register(Map.of(EmbeddedCibaConfiguration.DELIVERY_MODE, "ping",
          EmbeddedCibaConfiguration.NOTIFICATION_ENDPOINT,
          "http://127.0.0.1:" + receiver.getAddress().getPort() + "/ciba/notify"));
      Map<String, String> withoutToken = ask("admin");
      Map<String, String> form = ask("admin");
      form.put("client_notification_token", "notify-" + UUID.randomUUID());

      HttpResponse<String> refused = bcAuthorize(client, withoutToken);
      String id = Http.json(bcAuthorize(client, form)).path("auth_req_id").asString();
      device.answer(id, "admin", true, passkeyEvidence());
      String[] ping = pings.poll(5, TimeUnit.SECONDS);

      assertThat(Http.json(refused).path("error").asString()).isEqualTo("invalid_request");
      assertThat(ping).isNotNull();
      assertThat(ping[0]).isEqualTo("Bearer " + form.get("client_notification_token"));
      assertThat(JSON.readTree(ping[1]).path("auth_req_id").asString()).isEqualTo(id);
      HttpResponse<String> tokens = token(client, id);
      assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
      JWTClaimsSet idToken = SignedJWT.parse(Http.json(tokens).path("id_token").asString()).getJWTClaimsSet();
      assertThat(idToken.getSubject()).isEqualTo("admin");
    } finally {
      receiver.stop(0);
    }
  }
}
