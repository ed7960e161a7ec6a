package dev.authoraization.approval.ciba;

import dev.authoraization.approval.ApprovalChanged;
import dev.authoraization.approval.ApprovalChannel;
import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.approval.ApprovalRequest.Verdict;
import dev.authoraization.approval.ApprovalState;
import dev.authoraization.approval.Approvals;
import dev.authoraization.approval.Evidence;
import dev.authoraization.approval.ciba.CibaClient.AuthRequest;
import dev.authoraization.approval.ciba.CibaClient.PollResult;
import dev.authoraization.approval.ciba.CibaOutcome.Kind;
import dev.authoraization.approval.ciba.CibaTokenVerifier.Asked;
import dev.authoraization.approval.ciba.CibaTokenVerifier.Result;
import dev.authoraization.call.Caller;
import dev.authoraization.call.Fingerprint;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import dev.authoraization.dependency.Dependency;
import dev.authoraization.dependency.Guard;
import dev.authoraization.dependency.ResilienceProperties;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.client.RestTemplate;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Asks approvers through a CIBA provider in poll mode
 * (<a href="https://openid.net/specs/openid-client-initiated-backchannel-authentication-core-1_0.html">CIBA
 * Core 1.0</a>): for each configured approver of the request's roles, a backchannel
 * authentication request on a virtual thread, then polls of the token endpoint armed one at a
 * time on a timer, honouring {@code interval}, {@code slow_down} and {@code expires_in}.
 *
 * <p>The first final answer of the token endpoint is final for that {@code auth_req_id}: after
 * {@code access_denied} nothing is polled again, because Keycloak issues tokens for a request
 * that a later device callback approves (see docs/adr/0007-ciba-client.md). Tokens count only
 * after {@link CibaTokenVerifier} accepts them, and then only through {@link Approvals#decide},
 * which still checks the fingerprint, the approver's role, separation of duties and expiry.
 * Nothing logged carries a token, the client secret or an {@code auth_req_id}.
 */
public final class CibaApprovalChannel implements ApprovalChannel, AutoCloseable {

  static final String SUMMARY_PARAMETER = "action_summary";
  private static final Logger log = LoggerFactory.getLogger(CibaApprovalChannel.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final SecureRandom RANDOM = new SecureRandom();
  /** The longest pause between polls while the CIBA provider is unavailable. */
  static final Duration MAX_OUTAGE_DELAY = Duration.ofSeconds(60);

  private final CibaProperties properties;
  private final CibaClient client;
  private final CibaTokenVerifier verifier;
  private final Supplier<Approvals> approvals;
  private final PollTimer timer;
  private final Executor worker;
  private final Clock clock;
  private final Consumer<CibaOutcome> outcomes;
  private final List<AutoCloseable> owned;
  private final Map<String, Attempt> attempts = new ConcurrentHashMap<>();
  /** Consecutive polls per {@code auth_req_id} that found the provider unavailable, for the backoff. */
  private final Map<String, Integer> outages = new ConcurrentHashMap<>();
  /** Backchannel requests of each approval still being sent, and whether any was accepted. */
  private final Map<String, Sending> sending = new ConcurrentHashMap<>();
  private volatile ApproverDirectory directory;
  private volatile boolean ping;

  /**
   * @param approvals a supplier, because {@link Approvals} is built with its channels
   * @param timer arms each next poll
   * @param worker runs the HTTP calls (virtual threads in the engine)
   * @param outcomes told how each backchannel request ended (metrics, tests)
   * @param owned closed with the channel
   */
  public CibaApprovalChannel(CibaProperties properties, CibaClient client, CibaTokenVerifier verifier,
      Supplier<Approvals> approvals, PollTimer timer, Executor worker, Clock clock, Consumer<CibaOutcome> outcomes,
      List<AutoCloseable> owned) {
    this.properties = properties;
    this.client = client;
    this.verifier = verifier;
    this.approvals = approvals;
    this.timer = timer;
    this.worker = worker;
    this.clock = clock;
    this.outcomes = outcomes;
    this.owned = List.copyOf(owned);
    this.directory = ApproverDirectory.of(properties);
  }

  /**
   * Who to ask, per policy role: by default the configured {@code approvers}; the embedded
   * provider looks its users up instead.
   */
  public interface ApproverDirectory {
    /** The login hints to ask for a request that any of {@code roles} may approve. */
    Set<String> hintsFor(Set<String> roles);

    /** The roles of {@code roles} through which {@code hint} approves. */
    Set<String> rolesOf(String hint, Set<String> roles);

    static ApproverDirectory of(CibaProperties properties) {
      return new ApproverDirectory() {
        @Override
        public Set<String> hintsFor(Set<String> roles) {
          return properties.hintsFor(roles);
        }

        @Override
        public Set<String> rolesOf(String hint, Set<String> roles) {
          return properties.rolesOf(hint, roles);
        }
      };
    }
  }

  /** Asks {@code directory} instead of the configured approvers. */
  public CibaApprovalChannel approvers(ApproverDirectory directory) {
    this.directory = directory;
    return this;
  }

  /**
   * Ping mode (CIBA Core 10.2): each request carries a fresh {@code client_notification_token},
   * and {@link #notified} polls at once when the provider presents it, instead of at the next
   * interval. The client must be registered at the provider in ping mode with this engine's
   * notification endpoint ({@link CibaEndpoints#NOTIFICATION_PATH}).
   */
  public CibaApprovalChannel ping(boolean enabled) {
    this.ping = enabled;
    return this;
  }

  /** The channel as the engine runs it: its own HTTP client, timer thread and virtual threads. */
  public static CibaApprovalChannel create(CibaProperties properties, Supplier<Approvals> approvals, Clock clock,
      Consumer<CibaOutcome> outcomes) {
    return create(properties, ResilienceProperties.defaults(), approvals, clock, outcomes);
  }

  /** As above, with the engine's retry and circuit settings for the CIBA provider. */
  public static CibaApprovalChannel create(CibaProperties properties, ResilienceProperties resilience,
      Supplier<Approvals> approvals, Clock clock, Consumer<CibaOutcome> outcomes) {
    HttpClient http = CibaClient.httpClient(properties);
    CibaClient client = new CibaClient(properties, http, new Guard(Dependency.CIBA, resilience));
    JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(http);
    requests.setReadTimeout(properties.httpTimeout());
    CibaTokenVerifier verifier = new CibaTokenVerifier(properties, client::endpoints, new RestTemplate(requests));
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("ciba-poll-timer").daemon().factory());
    ExecutorService virtual = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("ciba-", 0).factory());
    return new CibaApprovalChannel(properties, client, verifier, approvals, PollTimer.of(scheduler), virtual, clock,
        outcomes, List.of(scheduler::shutdownNow, virtual::shutdownNow, http::shutdownNow));
  }

  /**
   * One backchannel authentication request in flight, by its {@code auth_req_id}.
   *
   * @param expiresAt when the provider said the request expires ({@code expires_in})
   */
  record Attempt(String approvalId, Fingerprint fingerprint, String loginHint, Set<String> roles, String authReqId,
      String bindingMessage, Instant sentAt, Instant expiresAt, String notificationToken, Duration interval) {
    @Override
    public String toString() {
      return "Attempt[approvalId=" + approvalId + ", loginHint=" + loginHint + "]";
    }
  }

  /**
   * Refuses a new approval request while the CIBA provider's circuit is open: nobody could be
   * asked, so the caller hears {@code dependency_unavailable} naming the CIBA provider at once.
   */
  @Override
  public void ready() {
    client.guard().refuseWhenOpen();
  }

  /** The CIBA provider's retry and circuit breaker (health shows its state). */
  public Guard guard() {
    return client.guard();
  }

  @Override
  public void requested(ApprovalRequest request) {
    Set<String> roles = request.requirement().approverRoles();
    List<String> hints = directory.hintsFor(roles).stream()
        // best effort: Approvals.decide enforces separation of duties on the verified subject
        .filter(hint -> !(request.requirement().separationOfDuties() && hint.equals(request.requester().subject())))
        .toList();
    if (hints.isEmpty()) {
      log.debug("Nobody to ask through CIBA for request {}", request.id());
      return;
    }
    sending.put(request.id(), new Sending(hints.size()));
    for (String hint : hints) {
      try {
        worker.execute(() -> start(request, hint, directory.rolesOf(hint, roles)));
      } catch (RejectedExecutionException closing) {
        log.warn("CIBA channel is closed; request {} is not sent to {}", request.id(), hint);
        sending.remove(request.id());
      }
    }
  }

  /** The backchannel requests of one approval being sent. */
  private static final class Sending {
    final AtomicInteger left;
    volatile boolean accepted;
    volatile @Nullable String unavailable;

    Sending(int count) {
      this.left = new AtomicInteger(count);
    }
  }

  /**
   * One backchannel request was sent or failed. When all failed because the CIBA provider is
   * unavailable, nobody can approve the request: it is withdrawn with the reason
   * {@code dependency_unavailable: CIBA provider unavailable: ...}, so the waiting caller hears now,
   * and why, instead of at expiry, and nothing is executed.
   */
  private void sent(ApprovalRequest request, @Nullable GatewayException failure) {
    Sending batch = sending.get(request.id());
    if (batch == null) {
      return;
    }
    if (failure == null) {
      batch.accepted = true;
    } else if (failure.code() == ErrorCode.DEPENDENCY_UNAVAILABLE) {
      batch.unavailable = failure.getMessage();
    }
    if (batch.left.decrementAndGet() > 0) {
      return;
    }
    sending.remove(request.id(), batch);
    String why = batch.unavailable;
    if (!batch.accepted && why != null) {
      try {
        // the code first, then what failed: the caller, the agent and the chat card show it
        approvals.get().withdraw(request.id(), ErrorCode.DEPENDENCY_UNAVAILABLE.id() + ": "
            + (why.length() > 900 ? why.substring(0, 900) + "..." : why));
        log.warn("Approval {} withdrawn: the CIBA provider is unavailable, so no approver could be asked",
            request.id());
      } catch (RuntimeException e) {
        log.warn("Approval {} could not be withdrawn after the CIBA provider failed; it expires by itself: {}",
            request.id(), e.toString());
      }
    }
  }

  /** The backchannel requests still being polled. */
  public int inFlight() {
    return attempts.size();
  }

  /** The backchannel requests in flight for {@code approvalId} (tests in this package forge pings with them). */
  List<Attempt> attemptsFor(String approvalId) {
    return attempts.values().stream().filter(a -> a.approvalId().equals(approvalId)).toList();
  }

  /** Stops polling for a request that reached a decision elsewhere. */
  @EventListener
  public void onApprovalChanged(ApprovalChanged changed) {
    if (changed.state() != ApprovalState.PENDING) {
      attempts.values().stream().filter(a -> a.approvalId().equals(changed.id())).toList()
          .forEach(a -> finish(a, Kind.STOPPED, changed.state().name()));
    }
  }

  private void start(ApprovalRequest request, String hint, Set<String> roles) {
    String summary = BindingMessages.summary(request);
    String binding = BindingMessages.forProvider(properties.provider(), request.fingerprint(), summary);
    Map<String, String> form = new LinkedHashMap<>();
    form.put("login_hint", loginHint(hint));
    form.put("scope", "openid");
    form.put("binding_message", binding);
    if (properties.provider() == CibaProperties.Provider.KEYCLOAK) {
      // Keycloak passes unknown parameters on to its authentication channel: the words go there
      form.put(SUMMARY_PARAMETER, summary);
    }
    if (properties.authorizationDetails()) {
      form.put("authorization_details", authorizationDetails(request));
    }
    String notificationToken = "";
    if (ping) {
      byte[] random = new byte[32];
      RANDOM.nextBytes(random);
      notificationToken = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      form.put("client_notification_token", notificationToken);
    }
    Instant sentAt = clock.instant();
    AuthRequest ack;
    try {
      ack = client.authenticate(form);
    } catch (RuntimeException e) {
      // Keycloak refuses a client_notification_token from a client registered for poll (invalid_request)
      log.warn("CIBA request for approval {} was not accepted for {}: {}{}", request.id(), hint, e.getMessage(),
          ping ? " (ping mode: is the client registered in ping mode at the provider?)" : "");
      outcomes.accept(new CibaOutcome(request.id(), hint, "", Kind.NOT_SENT, e.getMessage()));
      sent(request, e instanceof GatewayException known ? known
          : new GatewayException(ErrorCode.PROVIDER_FAILED, "unexpected: " + e.getClass().getSimpleName()));
      return;
    }
    sent(request, null);
    Duration interval = ack.interval().orElse(properties.defaultInterval());
    Attempt attempt = new Attempt(request.id(), request.fingerprint(), hint, roles, ack.authReqId(), binding, sentAt,
        sentAt.plus(ack.expiresIn()), notificationToken, interval);
    attempts.put(ack.authReqId(), attempt);
    log.debug("CIBA request for approval {} sent to {} ({}); polling", request.id(), hint, binding);
    arm(attempt, interval);
  }

  /**
   * A ping from the provider (CIBA Core 10.2): polls {@code authReqId} now. False, and nothing
   * polled, unless the request is in flight and {@code bearer} is the notification token sent
   * with it (compared in constant time), so a forged ping cannot make the engine poll.
   */
  public boolean notified(String authReqId, String bearer) {
    Attempt attempt = attempts.get(authReqId);
    if (attempt == null || attempt.notificationToken().isEmpty() || !MessageDigest.isEqual(
        attempt.notificationToken().getBytes(StandardCharsets.UTF_8), bearer.getBytes(StandardCharsets.UTF_8))) {
      return false;
    }
    try {
      // a pending answer re-arms nothing: the timer's own poll is still armed
      worker.execute(() -> poll(attempt, attempt.interval(), false));
      return true;
    } catch (RejectedExecutionException closing) {
      return false;
    }
  }

  private void arm(Attempt attempt, Duration interval) {
    arm(attempt, interval, interval);
  }

  /** Polls after {@code delay}, and then keeps polling at {@code interval}. */
  private void arm(Attempt attempt, Duration interval, Duration delay) {
    try {
      timer.after(delay, () -> {
        try {
          worker.execute(() -> poll(attempt, interval, true));
        } catch (RejectedExecutionException closing) {
          attempts.remove(attempt.authReqId());
        }
      });
    } catch (RejectedExecutionException closing) {
      attempts.remove(attempt.authReqId());
    }
  }

  private void poll(Attempt attempt, Duration interval, boolean rearm) {
    if (attempts.get(attempt.authReqId()) != attempt) {
      return;
    }
    try {
      ApprovalState state = approvals.get().get(attempt.approvalId()).state();
      if (state != ApprovalState.PENDING) {
        finish(attempt, Kind.STOPPED, state.name());
        return;
      }
    } catch (GatewayException gone) {
      finish(attempt, Kind.STOPPED, gone.code().id());
      return;
    } catch (RuntimeException unreadable) {
      log.warn("Cannot read approval {} before polling; will poll again: {}", attempt.approvalId(), unreadable.toString());
      arm(attempt, interval);
      return;
    }
    // the provider's expired_token is the normal end; this only stops a provider that never says it
    if (!clock.instant().isBefore(attempt.expiresAt().plus(properties.clockSkew()))) {
      finish(attempt, Kind.EXPIRED, "expires_in passed");
      return;
    }
    PollResult result = client.poll(attempt.authReqId());
    if (!(result instanceof PollResult.Unavailable)) {
      outages.remove(attempt.authReqId());
    }
    switch (result) {
      case PollResult.Pending pending -> {
        if (rearm) {
          arm(attempt, interval);
        }
      }
      case PollResult.SlowDown slow when !rearm -> { }
      case PollResult.SlowDown slow -> {
        // CIBA Core 11: slow_down adds 5 s for this and every later poll; Auth0 may ask for more
        Duration slower = interval.plusSeconds(5);
        arm(attempt, slow.retryAfter().filter(r -> r.compareTo(slower) > 0).orElse(slower));
      }
      case PollResult.Unavailable down when !rearm -> { }
      case PollResult.Unavailable down -> {
        // never a decision: the request stays pending, and polls back off while the provider is away
        Duration delay = outageDelay(attempt, interval);
        log.warn("CIBA token endpoint unavailable for approval {}; polling again in {} s: {}", attempt.approvalId(),
            delay.toSeconds(), down.why());
        arm(attempt, interval, delay);
      }
      case PollResult.Denied denied -> {
        if (claim(attempt)) {
          denied(attempt, denied.reason());
        }
      }
      case PollResult.Expired expired -> {
        if (claim(attempt)) {
          log.info("Approver {} did not answer approval {} in time", attempt.loginHint(), attempt.approvalId());
          outcomes.accept(outcome(attempt, Kind.EXPIRED, "expired_token"));
        }
      }
      case PollResult.Failed failed -> {
        if (claim(attempt)) {
          log.warn("CIBA request for approval {} to {} failed: {}", attempt.approvalId(), attempt.loginHint(),
              failed.error());
          outcomes.accept(outcome(attempt, Kind.FAILED, failed.error()));
        }
      }
      case PollResult.Tokens tokens -> {
        if (claim(attempt)) {
          approved(attempt, tokens);
        }
      }
    }
  }

  private void approved(Attempt attempt, PollResult.Tokens tokens) {
    Result verified;
    try {
      verified = verifier.verify(tokens, new Asked(attempt.loginHint(), attempt.sentAt(), attempt.fingerprint()));
    } catch (RuntimeException e) {
      // e.g. the provider's keys cannot be fetched: fail closed, and say why without the tokens
      verified = new Result.Refused("tokens could not be verified: " + e.getClass().getSimpleName());
    }
    switch (verified) {
      case Result.Refused refused -> {
        log.warn("CIBA answer for approval {} from {} does not count: {}", attempt.approvalId(), attempt.loginHint(),
            refused.reason());
        outcomes.accept(outcome(attempt, Kind.REFUSED, refused.reason()));
      }
      case Result.Verified ok -> {
        Evidence evidence = Evidence.verified("ciba", evidence(attempt, ok.idToken()));
        decide(attempt, ok.approver(), Verdict.APPROVE, "", evidence, Kind.APPROVED);
      }
    }
  }

  private void denied(Attempt attempt, Optional<String> reason) {
    if (!clock.instant().isBefore(attempt.expiresAt())) {
      // Auth0 answers access_denied for an expired request too; past the deadline it is expiry
      outcomes.accept(outcome(attempt, Kind.EXPIRED, "access_denied after expires_in"));
      return;
    }
    // no token comes with a deny: the approver is the one we asked, as configured
    Caller approver = Caller.of(attempt.loginHint(), properties.issuer(), attempt.roles());
    ObjectNode details = JsonNodeFactory.instance.objectNode();
    details.put("auth_req_id", attempt.authReqId());
    details.put("iss", properties.issuer());
    details.put("login_hint", attempt.loginHint());
    details.put("binding_message", attempt.bindingMessage());
    details.put("error", "access_denied");
    reason.ifPresent(r -> details.put("reason", r));
    // the approver's words when the provider passed them on (only the embedded one does), as the
    // requester and the agent then read them; else the code says where the deny came from
    decide(attempt, approver, Verdict.DENY, reason.orElse("denied_on_device"), new Evidence("ciba", false, details),
        Kind.DENIED);
  }

  private void decide(Attempt attempt, Caller approver, Verdict verdict, String reason, Evidence evidence, Kind kind) {
    try {
      approvals.get().decide(attempt.approvalId(), approver, attempt.fingerprint(), verdict, reason, evidence);
      log.info("Approver {} answered {} to approval {} through CIBA", approver.subject(), verdict, attempt.approvalId());
      outcomes.accept(outcome(attempt, kind, verdict.name()));
    } catch (GatewayException e) {
      log.warn("CIBA answer {} for approval {} from {} not counted: {} ({})", verdict, attempt.approvalId(),
          attempt.loginHint(), e.code().id(), e.getMessage());
      outcomes.accept(outcome(attempt, Kind.NOT_COUNTED, e.code().id()));
    } catch (RuntimeException e) {
      log.warn("CIBA answer {} for approval {} could not be recorded: {}", verdict, attempt.approvalId(), e.toString());
      outcomes.accept(outcome(attempt, Kind.NOT_COUNTED, "unrecorded"));
    }
  }

  /** The interval doubled per consecutive failed poll, at most {@link #MAX_OUTAGE_DELAY} (or the interval). */
  private Duration outageDelay(Attempt attempt, Duration interval) {
    int failed = outages.merge(attempt.authReqId(), 1, Integer::sum);
    Duration cap = interval.compareTo(MAX_OUTAGE_DELAY) > 0 ? interval : MAX_OUTAGE_DELAY;
    Duration delay = interval.multipliedBy(1L << Math.min(failed, 10));
    return delay.compareTo(cap) > 0 ? cap : delay;
  }

  /** The first final answer wins: true for exactly one caller per {@code auth_req_id}. */
  private boolean claim(Attempt attempt) {
    outages.remove(attempt.authReqId());
    return attempts.remove(attempt.authReqId(), attempt);
  }

  private void finish(Attempt attempt, Kind kind, String detail) {
    if (claim(attempt)) {
      outcomes.accept(outcome(attempt, kind, detail));
    }
  }

  private static CibaOutcome outcome(Attempt attempt, Kind kind, String detail) {
    return new CibaOutcome(attempt.approvalId(), attempt.loginHint(), attempt.authReqId(), kind, detail);
  }

  private ObjectNode evidence(Attempt attempt, Jwt id) {
    ObjectNode details = JsonNodeFactory.instance.objectNode();
    details.put("auth_req_id", attempt.authReqId());
    details.put("iss", String.valueOf(id.getIssuer()));
    details.put("sub", id.getSubject());
    Object authTime = id.getClaim("auth_time");
    details.put("auth_time", authTime instanceof Number n ? n.longValue()
        : id.getIssuedAt() == null ? 0 : id.getIssuedAt().getEpochSecond());
    details.put("binding_message", attempt.bindingMessage());
    details.put("login_hint", attempt.loginHint());
    // what the provider says the approver's device verified (the embedded provider: the signed
    // passkey assertion), kept so the audit record carries the proof itself
    for (String claim : List.of("amr", "acr", "approval_evidence")) {
      Object value = id.getClaim(claim);
      if (value != null) {
        details.set(claim, JSON.valueToTree(value));
      }
    }
    return details;
  }

  private String loginHint(String hint) {
    if (properties.provider() != CibaProperties.Provider.AUTH0) {
      return hint;
    }
    // Auth0 takes the user as {"format":"iss_sub","iss":"https://TENANT/","sub":"auth0|USER"}
    ObjectNode issSub = JsonNodeFactory.instance.objectNode();
    issSub.put("format", "iss_sub");
    issSub.put("iss", properties.issuer());
    issSub.put("sub", hint);
    return JSON.writeValueAsString(issSub);
  }

  /** RFC 9396 {@code authorization_details}: the action itself, bound by its fingerprint. */
  private static String authorizationDetails(ApprovalRequest request) {
    ArrayNode details = JsonNodeFactory.instance.arrayNode();
    ObjectNode action = details.addObject();
    action.put("type", CibaTokenVerifier.DETAILS_TYPE);
    action.put("tool", request.call().tool());
    action.put("resource", request.resource());
    ObjectNode preconditions = action.putObject("preconditions");
    request.preconditions().forEach(preconditions::put);
    action.put("fingerprint", request.fingerprint().hex());
    return JSON.writeValueAsString(details);
  }

  @Override
  public void close() {
    attempts.clear();
    outages.clear();
    sending.clear();
    for (AutoCloseable resource : owned) {
      try {
        resource.close();
      } catch (Exception e) {
        log.debug("Closing the CIBA channel: {}", e.toString());
      }
    }
  }
}
