package dev.authoraization.web.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.oauth2Login;
import static org.springframework.security.test.web.servlet.setup.SecurityMockMvcConfigurers.springSecurity;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;
import static org.awaitility.Awaitility.await;

import dev.authoraization.call.Caller;
import dev.authoraization.identity.embedded.EmbeddedIdentityProperties;
import dev.authoraization.support.EngineIT;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.Session;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.util.HtmlUtils;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The chat and audit pages over HTTP: who gets in, what headers they carry, that every POST needs
 * the CSRF token, and that text from users, models and the forge is shown as text.
 */
class ChatPagesIT extends EngineIT {

  static final String HOSTILE = "<img src=x onerror=alert(1)>";

  @Autowired
  WebApplicationContext context;
  @Autowired
  EmbeddedIdentityProperties embedded;
  @Autowired
  ChatTurns turns;
  @Autowired
  dev.authoraization.audit.AuditLog audit;
  @Autowired
  dev.authoraization.approval.Approvals approvals;

  @Autowired
  FindByIndexNameSessionRepository<? extends Session> sessions;

  MockMvc mvc;

  @BeforeEach
  void mockMvc() {
    mvc = MockMvcBuilders.webAppContextSetup(context).apply(springSecurity()).build();
  }

  @Test
  void chatWithoutASessionStartsTheSignInWithPkce() throws Exception {
    HttpResponse<String> page = get("/chat", null).raw();
    assertThat(page.statusCode()).isEqualTo(302);
    assertThat(page.headers().firstValue("Location")).hasValueSatisfying(l ->
        assertThat(l).endsWith("/oauth2/authorization/engine"));

    HttpResponse<String> authorize = get("/oauth2/authorization/engine", null).raw();
    assertThat(authorize.statusCode()).isEqualTo(302);
    assertThat(authorize.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l)
        .startsWith(embedded.issuer() + "/oauth2/authorize?")
        .contains("client_id=engine-web", "code_challenge=", "code_challenge_method=S256", "scope=openid",
            "state=", "nonce="));
  }

  @Test
  void pagesCarryAStrictContentSecurityPolicyAndRefuseFraming() throws Exception {
    for (String path : List.of("/chat", "/audit", "/ui/ui.css")) {
      HttpResponse<String> response = get(path, null).raw();
      assertThat(response.headers().firstValue("Content-Security-Policy")).as(path).hasValueSatisfying(csp ->
          assertThat(csp).contains("default-src 'self'", "script-src 'self'", "style-src 'self'",
              "frame-ancestors 'none'", "object-src 'none'").doesNotContain("unsafe-inline", "unsafe-eval"));
      assertThat(response.headers().firstValue("X-Frame-Options")).as(path).hasValue("DENY");
    }
  }

  @Test
  void theSignedInChatPageHasNoInlineScriptAndNoInlineHandlers() throws Exception {
    String html = mvc.perform(MockMvcRequestBuilders.get("/chat").with(user("alice", "developer"))).andExpect(status().isOk())
        .andReturn().getResponse().getContentAsString();

    assertThat(html).contains("id=\"composer\"", "/webjars/htmx.org/2.0.4/dist/htmx.min.js",
            "/webjars/htmx-ext-sse/2.2.2/sse.js")
        .doesNotContainPattern("<script(?![^>]*\\bsrc=)").doesNotContainPattern("\\son[a-z]+=")
        .doesNotContain(" style=", "hx-on");
    assertThat(html).as("no audit link for a developer").doesNotContain("href=\"/audit\"");
  }

  @Test
  void everyPostWithoutTheCsrfTokenIsRefused() throws Exception {
    for (MockHttpServletRequestBuilder request : List.of(
        form("/chat/messages").param("text", "show the open bugs in demo/webapp"),
        form("/chat/approvals/some-id/cancel"), form("/chat/demo/prime"), form("/chat/new"),
        form("/chat/logout"))) {
      mvc.perform(request.header("HX-Request", "true").with(user("alice", "developer")))
          .andExpect(status().isForbidden());
      mvc.perform(request.header("HX-Request", "true").with(user("alice", "developer")).with(csrf().useInvalidToken()))
          .andExpect(status().isForbidden());
    }
  }

  @Test
  void aMessageWithTheCsrfTokenIsAcceptedAndEchoedAsText() throws Exception {
    String html = mvc.perform(MockMvcRequestBuilders.post("/chat/messages").param("text", HOSTILE + " hello").header("HX-Request", "true")
            .with(user("alice", "developer")).with(csrf()))
        .andExpect(status().isOk()).andReturn().getResponse().getContentAsString();

    assertThat(html).contains("&lt;img src=x onerror=alert(1)&gt; hello", "sse-connect=\"/chat/turns/")
        .doesNotContain(HOSTILE);
  }

  @Test
  void aTurnStreamsOnlyToItsOwnerAndOnlyOnce() throws Exception {
    String posted = mvc.perform(MockMvcRequestBuilders.post("/chat/messages").param("text", "list my repositories")
            .header("HX-Request", "true").with(user("alice", "developer")).with(csrf()))
        .andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
    Matcher turn = Pattern.compile("sse-connect=\"/chat/turns/([0-9a-f-]{36})\"").matcher(posted);
    assertThat(turn.find()).isTrue();

    String stolen = stream(turn.group(1), user("mallory", "developer"));
    assertThat(stolen).contains("already delivered or has expired").doesNotContain("list_repositories");

    String own = stream(turn.group(1), user("alice", "developer"));
    assertThat(own).doesNotContain("already delivered").contains("event:done");

    assertThat(stream(turn.group(1), user("alice", "developer"))).contains("already delivered or has expired");
  }

  @Test
  void theAnswerStreamsInPiecesIntoOneBubbleAndIsNotRepeatedAtTheEnd() throws Exception {
    String posted = mvc.perform(MockMvcRequestBuilders.post("/chat/messages").param("text", "list my repositories")
            .header("HX-Request", "true").with(user("alice", "developer")).with(csrf()))
        .andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
    Matcher turn = Pattern.compile("sse-connect=\"/chat/turns/([0-9a-f-]{36})\"").matcher(posted);
    assertThat(turn.find()).isTrue();

    String events = stream(turn.group(1), user("alice", "developer"));

    // (the offline planner cannot use this context's fake tools, so it explains that, word by word)
    // a bubble opened by the first piece, then each later piece into it, out of band
    Matcher bubble = Pattern.compile("<p id=\"(reply-[0-9a-f-]{36})\"><span class=\"piece\">You </span></p>")
        .matcher(events);
    assertThat(bubble.find()).as(events).isTrue();
    List<String> later = Pattern.compile("<div hx-swap-oob=\"beforeend:#" + bubble.group(1)
            + "\"><span class=\"piece\">([^<]*)</span></div>").matcher(events).results().map(m -> m.group(1)).toList();
    assertThat(later).hasSizeGreaterThan(2).startsWith("may ", "not ", "use ", "list_repositories ");
    assertThat(HtmlUtils.htmlUnescape("You " + String.join("", later)))
        .isEqualTo("You may not use list_repositories (the engine's policy does not offer it to you), so I did not try.");
    assertThat(events).as("the streamed reply is not sent again whole").doesNotContain("<article class=\"msg assistant\">")
        .contains("event:done");
    assertThat(events.indexOf("event:done")).isGreaterThan(events.lastIndexOf("class=\"piece\""));
  }

  @Test
  void modelTextStreamedIntoTheBubbleIsEscaped() {
    String first = turns.render("bubble", Map.of("id", "reply-1", "delta", HOSTILE));
    String next = turns.render("delta", Map.of("id", "reply-1", "delta", "<b>x</b> "));

    assertThat(first).contains("<span class=\"piece\">&lt;img src=x onerror=alert(1)&gt;</span>").doesNotContain("<img");
    assertThat(next).contains("hx-swap-oob=\"beforeend:#reply-1\"", "&lt;b&gt;x&lt;/b&gt; ").doesNotContain("<b>");
  }

  private String stream(String turn, RequestPostProcessor who) throws Exception {
    MvcResult result = mvc.perform(MockMvcRequestBuilders.get("/chat/turns/" + turn).with(who))
        .andExpect(request().asyncStarted()).andReturn();
    await().atMost(Duration.ofSeconds(20))
        .until(() -> result.getResponse().getContentAsString().contains("event:done"));
    // written before the stream starts, not raced by the thread that commits it
    assertThat(result.getResponse().getHeader("Content-Security-Policy")).as("security headers on a stream")
        .contains("default-src");
    return result.getResponse().getContentAsString();
  }

  @Test
  void forgeTextInAToolResultTableIsEscaped() {
    ChatViews.Table table = new ChatViews.Table("issues", "Issues",
        List.of(new ChatViews.Row(3, HOSTILE, "open", List.of("bug", "<b>x</b>"), "mallory", "", ChatViews.Checks.NONE)), false);
    ChatViews.Card card = new ChatViews.Card("list_issues", "{\"title\": \"" + HOSTILE + "\"}", "allowed", "ok", 3, "");
    Map<String, Object> model = new java.util.HashMap<>();
    model.put("cards", List.of(card));
    model.put("tables", List.of(table));
    model.put("reply", "There is " + HOSTILE);
    model.put("decided", List.of());
    model.put("approval", null);
    model.put("state", "ready");

    String html = turns.render("step", model);

    assertThat(html).contains("&lt;img src=x onerror=alert(1)&gt;", "&lt;b&gt;x&lt;/b&gt;")
        .doesNotContain("<img", "<b>");
  }

  @Test
  void theAuditPageIsForbiddenToADeveloper() throws Exception {
    mvc.perform(MockMvcRequestBuilders.get("/audit").with(user("alice", "developer"))).andExpect(status().isForbidden());
    mvc.perform(MockMvcRequestBuilders.get("/audit/records/1").with(user("alice", "developer"))).andExpect(status().isForbidden());
  }

  @Test
  void anApproverSeesTheAuditChainStatusAndFilteredRecords() throws Exception {
    String html = mvc.perform(MockMvcRequestBuilders.get("/audit").param("tool", HOSTILE).with(user("admin", "approver")))
        .andExpect(status().isOk()).andReturn().getResponse().getContentAsString();

    assertThat(html).contains("id=\"chain-status\"", "Chain verified", "0 newest matching record(s)")
        .contains("value=\"&lt;img src=x onerror=alert(1)&gt;\"").doesNotContain(HOSTILE);
  }

  @Test
  void theAuditPageFiltersInTheStoreAndAnInjectedFilterFindsNothing() throws Exception {
    String tool = "audit_page_probe_" + java.util.UUID.randomUUID().toString().substring(0, 8);
    dev.authoraization.audit.AuditRecord probe = audit.append(dev.authoraization.audit.AuditEntry
        .event("call.decided", "d-" + tool).caller(Caller.of("probe-user", "http://localhost:8080", Set.of()))
        .tool(tool, JsonNodeFactory.instance.objectNode())
        .decision("deny", "deny-by-default", "no rule").outcome("denied").build());
    String day = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();

    String found = auditPage(Map.of("tool", tool, "caller", "probe-user", "decision", "deny", "outcome", "denied",
        "from", day + "T00:00", "to", java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusDays(1) + "T00:00"));
    assertThat(found).contains("1 newest matching record(s)", "/audit/records/" + probe.seq(), "Chain verified");

    String injected = auditPage(Map.of("tool", tool + "' OR '1'='1", "caller", "' OR 1=1 --"));
    assertThat(injected).contains("0 newest matching record(s)", "Chain verified");

    String control = auditPage(Map.of("tool", tool + "\u0000", "caller", "probe-user"));
    assertThat(control).contains("Tool must not contain control characters", "0 newest matching record(s)");

    String badTime = auditPage(Map.of("tool", tool, "from", "yesterday; DROP TABLE audit_record"));
    assertThat(badTime).contains("role=\"alert\"", "From must be a date and time in UTC")
        .contains("0 newest matching record(s)");

    String record = mvc.perform(MockMvcRequestBuilders.get("/audit/records/" + probe.seq()).with(user("admin", "approver")))
        .andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
    assertThat(record).contains(tool, "probe-user");
    mvc.perform(MockMvcRequestBuilders.get("/audit/records/" + Long.MAX_VALUE).with(user("admin", "approver")))
        .andExpect(status().isNotFound());
  }

  private String auditPage(Map<String, String> filters) throws Exception {
    MockHttpServletRequestBuilder request = MockMvcRequestBuilders.get("/audit").with(user("admin", "approver"));
    filters.forEach(request::param);
    return mvc.perform(request).andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
  }

  @Test
  void theApprovalCardShowsTheLinkAndAQrCodeOfItThatOnlyTheRequesterGets() throws Exception {
    Caller alice = Caller.of("alice", "http://localhost:8080", Set.of("developer"));
    dev.authoraization.approval.ApprovalRequest request = approvals.request(
        new dev.authoraization.call.ToolCall("merge_pull_request",
            JsonNodeFactory.instance.objectNode().put("owner", "demo").put("repo", "webapp").put("pull_number", 2),
            alice, "qr-" + java.util.UUID.randomUUID()),
        "decision-qr", "demo/webapp", Map.of("expected_head_sha", "a".repeat(40)), Map.of(),
        new dev.authoraization.call.Decision.NeedsApproval("merge", new dev.authoraization.call.ApprovalRequirement(
            Set.of("approver"), 1, Duration.ofMinutes(5), true)), "rev-qr");
    try {
      Map<String, Object> model = new java.util.HashMap<>();
      model.put("cards", List.of());
      model.put("tables", List.of());
      model.put("reply", "");
      model.put("decided", List.of());
      model.put("approval", ChatViews.ApprovalCard.of(request));
      model.put("state", "locked");
      String card = turns.render("step", model);
      assertThat(card).contains("href=\"/approvals/" + request.id() + "\"",
          "src=\"/chat/approvals/" + request.id() + "/qr.png\"", "alt=\"QR code of the approver page link");

      MvcResult qr = mvc.perform(MockMvcRequestBuilders.get("/chat/approvals/" + request.id() + "/qr.png")
          .with(user("alice", "developer"))).andExpect(status().isOk()).andReturn();
      assertThat(qr.getResponse().getContentType()).isEqualTo("image/png");
      assertThat(qr.getResponse().getHeader("Cache-Control")).contains("no-store");
      String decoded = ApproverQrTests.decode(qr.getResponse().getContentAsByteArray());
      assertThat(decoded).isEqualTo("http://localhost/approvals/" + request.id());
      assertThat(decoded).doesNotContain(ChatViews.ApprovalCard.of(request).code(), "token", "secret");

      mvc.perform(MockMvcRequestBuilders.get("/chat/approvals/" + request.id() + "/qr.png")
          .with(user("mallory", "developer"))).andExpect(status().isNotFound());
      mvc.perform(MockMvcRequestBuilders.get("/chat/approvals/no-such-request/qr.png")
          .with(user("alice", "developer"))).andExpect(status().isNotFound());
      mvc.perform(MockMvcRequestBuilders.get("/chat/approvals/" + request.id() + "/qr.png")).andExpect(status().is3xxRedirection());
    } finally {
      approvals.cancel(request.id(), alice);
    }
  }

  @Test
  void thePullRequestTableHasAChecksColumnInWordsWithALabel() {
    ChatViews.Table table = new ChatViews.Table("pulls", "Pull requests", List.of(
        new ChatViews.Row(7, "Fix login redirect", "open", List.of(), "bob", "fix → main",
            ChatViews.Checks.of(JsonNodeFactory.instance.objectNode().put("state", "success").put("summary", "2 of 2 passed"))),
        new ChatViews.Row(8, "Rework config loading", "open", List.of(), "carol", "rework → main",
            ChatViews.Checks.of(JsonNodeFactory.instance.objectNode().put("state", "failure").put("summary", "1 of 2 passed"))),
        new ChatViews.Row(9, "Add note", "open", List.of(), "alice", "note → main",
            ChatViews.Checks.of(JsonNodeFactory.instance.objectNode().put("state", "none")))), false);
    Map<String, Object> model = new java.util.HashMap<>();
    model.put("cards", List.of());
    model.put("tables", List.of(table));
    model.put("reply", "");
    model.put("decided", List.of());
    model.put("approval", null);
    model.put("state", "ready");

    String html = turns.render("step", model);

    assertThat(html).contains("<th scope=\"col\">Checks</th>")
        .contains("aria-label=\"Checks passing: 2 of 2 passed\"", "✓ passing")
        .contains("aria-label=\"Checks failing: 1 of 2 passed\"", "✗ failing")
        .contains("aria-label=\"No checks reported\"", "– none");
  }

  @Test
  void aSessionSignedInToTheChatAloneIsFiledUnderItsUserSoAnOperatorCanEndIt() {
    String subject = "chat-only-" + java.util.UUID.randomUUID(); // an external provider's sign-in: no form login
    String id = signedInToTheChat(sessions, subject);

    assertThat(sessions.findByPrincipalName(subject)).containsOnlyKeys(id);
    sessions.findByPrincipalName(subject).keySet().forEach(sessions::deleteById);
    assertThat(sessions.findById(id)).isNull();
  }

  private static <S extends Session> String signedInToTheChat(FindByIndexNameSessionRepository<S> repository,
      String subject) {
    ChatUser user = chatUser(subject, "developer");
    S session = repository.createSession();
    session.setAttribute(ChatSecurityConfiguration.CONTEXT_KEY, new SecurityContextImpl(
        new OAuth2AuthenticationToken(user, user.getAuthorities(), ChatSecurityConfiguration.REGISTRATION)));
    repository.save(session);
    return session.getId();
  }

  private static MockHttpServletRequestBuilder form(String path) {
    return MockMvcRequestBuilders.post(path);
  }

  /** A user signed in to the web UI, as the sign-in would have made them. */
  private static RequestPostProcessor user(String name, String role) {
    return oauth2Login().oauth2User(chatUser(name, role));
  }

  private static ChatUser chatUser(String name, String role) {
    Caller caller = Caller.of(name, "http://localhost:8080", Set.of(role));
    OidcIdToken idToken = OidcIdToken.withTokenValue("id-token").subject(name).issuedAt(Instant.now())
        .expiresAt(Instant.now().plusSeconds(60)).build();
    return new ChatUser(caller, List.of(new SimpleGrantedAuthority("ROLE_" + role)), idToken, null);
  }
}
