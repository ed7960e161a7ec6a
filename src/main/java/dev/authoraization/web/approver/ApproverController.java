package dev.authoraization.web.approver;

import dev.authoraization.agent.Conversation;
import dev.authoraization.agent.ConversationStore;
import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.approval.ApprovalRequest.Verdict;
import dev.authoraization.approval.ApprovalState;
import dev.authoraization.approval.Approvals;
import dev.authoraization.approval.Evidence;
import dev.authoraization.approval.ciba.BindingMessages;
import dev.authoraization.approval.passkey.ActionChallenge;
import dev.authoraization.approval.passkey.PasskeyProperties;
import dev.authoraization.approval.passkey.PasskeyRejectedException;
import dev.authoraization.approval.passkey.Passkeys;
import dev.authoraization.call.Caller;
import dev.authoraization.call.Fingerprint;
import dev.authoraization.call.GatewayException;
import dev.authoraization.identity.embedded.EmbeddedIdentityProperties;
import dev.authoraization.identity.embedded.EmbeddedUsers;
import dev.authoraization.identity.embedded.ciba.BackchannelDecisions;
import dev.authoraization.identity.embedded.ciba.BackchannelRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.util.WebUtils;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The approver's pages: pending requests, one request with approve and deny, each confirmed with
 * a passkey assertion over {@link ActionChallenge} (docs/approver-device.md).
 */
@Controller
@ConditionalOnBooleanProperty(name = "engine.identity.embedded.enabled", matchIfMissing = true)
class ApproverController {

  /** approval id → the single-use nonce of the page last shown for it, in the approver's session. */
  static final String NONCES = ApproverController.class.getName() + ".nonces";

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Approvals approvals;
  private final Passkeys passkeys;
  private final PasskeyProperties properties;
  private final EmbeddedUsers users;
  private final String issuer;
  private final Clock clock;
  private final BackchannelDecisions backchannel;
  private final SpentNonces spent;
  private final ConversationStore conversations;

  ApproverController(Approvals approvals, Passkeys passkeys, PasskeyProperties properties, EmbeddedUsers users,
      EmbeddedIdentityProperties identity, Clock clock, BackchannelDecisions backchannel,
      ConversationStore conversations, SpentNonces spent) {
    this.spent = spent;
    this.backchannel = backchannel;
    this.conversations = conversations;
    this.approvals = approvals;
    this.passkeys = passkeys;
    this.properties = properties;
    this.users = users;
    this.issuer = identity.issuer();
    this.clock = clock;
  }

  @GetMapping("/approvals")
  String list(Authentication authentication, Model model) {
    if (mustEnrol(authentication)) {
      return "redirect:/passkeys/enrol";
    }
    Caller me = Approvers.of(authentication, issuer);
    model.addAttribute("user", me.subject());
    model.addAttribute("requests", approvals.pending(200).stream().filter(r -> mayDecide(me, r))
        .map(r -> RequestView.of(r, clock.instant())).toList());
    return "approver/list";
  }

  @GetMapping("/approvals/{id}")
  String detail(@PathVariable String id, Authentication authentication, Model model, HttpSession session,
      HttpServletRequest request) {
    if (mustEnrol(authentication)) {
      return "redirect:/passkeys/enrol";
    }
    return show(id, authentication, model, session, request);
  }

  @PostMapping("/approvals/{id}/decision")
  String decide(@PathVariable String id, @RequestParam(defaultValue = "") String verdict,
      @RequestParam(defaultValue = "") String fingerprint, @RequestParam(defaultValue = "") String reason,
      @RequestParam(defaultValue = "") String assertion, Authentication authentication, Model model,
      HttpSession session, HttpServletRequest request, HttpServletResponse response, RedirectAttributes redirect) {
    if (mustEnrol(authentication)) {
      return "redirect:/passkeys/enrol";
    }
    // single use: whatever happens next, this page's nonce is spent
    Optional<String> nonce = takeNonce(session, id);
    try {
      Verdict chosen = switch (verdict) {
        case "approve" -> Verdict.APPROVE;
        case "deny" -> Verdict.DENY;
        default -> throw new PasskeyRejectedException("Choose approve or deny.");
      };
      Fingerprint action = parse(fingerprint);
      String why = reason.strip();
      if (why.length() > 500) {
        throw new PasskeyRejectedException("A reason has at most 500 characters.");
      }
      Evidence evidence;
      if (assertion.isBlank() && !properties.isRequired()) {
        evidence = Evidence.unverified("password-demo");
      } else if (assertion.isBlank()) {
        throw new PasskeyRejectedException("Confirm with your passkey: a decision without it is not accepted here.");
      } else {
        // the session's copy is gone now, but another node may have read the same session a moment
        // ago: spending it in the database settles which submission got it
        String used = nonce.filter(spent::spend).orElseThrow(() -> new PasskeyRejectedException(
            "This page was already used or has expired; nothing was decided. Reload the request and confirm again."));
        evidence = passkeys.verify(authentication.getName(), assertion,
            new ActionChallenge(chosen, action, id, used), request.getServerName());
      }
      // asked through the embedded CIBA endpoint: the answer goes back to the CIBA client, which counts
      // it only after verifying the ID token (the production path; docs/adr/0012-embedded-ciba-endpoint.md)
      if (answerBackchannel(authentication.getName(), action, chosen, why, evidence)) {
        redirect.addFlashAttribute("notice", (chosen == Verdict.APPROVE ? "Approved " : "Denied ")
            + BindingMessages.code(action) + ". The engine is told through CIBA.");
        return "redirect:/approvals";
      }
      // roles as they are now, not as they were at sign-in: a revoked approver or a disabled user
      // cannot decide with an old session
      Caller approver = Caller.of(authentication.getName(), issuer,
          Set.copyOf(users.roles(authentication.getName()).orElse(List.of())));
      ApprovalRequest after = approvals.decide(id, approver, action, chosen, why, evidence);
      redirect.addFlashAttribute("notice", switch (after.state()) {
        case APPROVED -> "Approved " + RequestView.of(after, clock.instant()).code() + ". The engine runs it now.";
        case DENIED -> "Denied " + RequestView.of(after, clock.instant()).code() + ".";
        default -> "Your approval of " + RequestView.of(after, clock.instant()).code()
            + " was counted; it needs more approvers.";
      });
      return "redirect:/approvals";
    } catch (PasskeyRejectedException e) {
      response.setStatus(HttpServletResponse.SC_FORBIDDEN);
      model.addAttribute("error", e.getMessage());
    } catch (GatewayException e) {
      response.setStatus(e.code().httpStatus());
      model.addAttribute("error", e.getMessage() + " Nothing was decided.");
    }
    return show(id, authentication, model, session, request);
  }

  /** The last line the user typed in the agent conversation waiting on this request, if any (older requests). */
  private String askedWith(String approvalId) {
    return conversations.waitingFor(approvalId).stream().findFirst().flatMap(conversations::find)
        .flatMap(c -> c.messages().reversed().stream().filter(m -> m.role().equals("user")).findFirst())
        .map(Conversation.StoredMessage::text).orElse("");
  }

  /** Where the chain forwards a signed-in user without role {@code approver}. */
  @RequestMapping("/approvals/forbidden")
  String forbidden(HttpServletResponse response) {
    response.setStatus(HttpServletResponse.SC_FORBIDDEN);
    return "approver/forbidden";
  }

  private String show(String id, Authentication authentication, Model model, HttpSession session,
      HttpServletRequest request) {
    ApprovalRequest r;
    try {
      r = approvals.get(id);
    } catch (GatewayException e) {
      model.addAttribute("error", e.getMessage());
      model.addAttribute("user", authentication.getName());
      return "approver/missing";
    }
    // kept with the request since it was asked; read live only for a request from before that
    RequestView view = RequestView.of(r, clock.instant(),
        r.context().containsKey(ApprovalRequest.ASKED_WITH) ? "" : askedWith(id));
    String nonce = ActionChallenge.newNonce();
    putNonce(session, id, nonce);
    String rpId = request.getServerName();
    String user = authentication.getName();
    model.addAttribute("user", user);
    model.addAttribute("request", view);
    model.addAttribute("pending", r.state() == ApprovalState.PENDING && !view.expired());
    model.addAttribute("state", r.state().name());
    model.addAttribute("passkey", passkeys.enrolled(user));
    model.addAttribute("backchannel", backchannel.pendingFor(user, r.fingerprint().hex()));
    model.addAttribute("approveOptions", passkeys.requestOptions(user, rpId,
        new ActionChallenge(Verdict.APPROVE, r.fingerprint(), id, nonce).base64url()));
    model.addAttribute("denyOptions", passkeys.requestOptions(user, rpId,
        new ActionChallenge(Verdict.DENY, r.fingerprint(), id, nonce).base64url()));
    return "approver/detail";
  }

  /** Answers the embedded provider's pending backchannel requests for this action; false when there are none. */
  private boolean answerBackchannel(String user, Fingerprint action, Verdict chosen, String reason,
      Evidence evidence) {
    List<BackchannelRequest> asked = backchannel.pendingFor(user, action.hex());
    if (asked.isEmpty()) {
      return false;
    }
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    json.put("channel", evidence.channel());
    json.put("verified", evidence.verified());
    json.set("details", evidence.details());
    json.put("reason", reason);
    String recorded = JSON.writeValueAsString(json);
    boolean answered = false;
    for (BackchannelRequest request : asked) {
      answered |= backchannel.answer(request.authReqId(), user, chosen == Verdict.APPROVE, recorded);
    }
    return answered;
  }

  private boolean mustEnrol(Authentication authentication) {
    return properties.isRequired() && !passkeys.enrolled(authentication.getName());
  }

  private boolean mayDecide(Caller me, ApprovalRequest r) {
    boolean own = r.requirement().separationOfDuties() && me.principal().equals(r.requester().principal());
    boolean voted = r.votes().stream()
        .anyMatch(v -> v.approverSubject().equals(me.subject()) && v.approverIssuer().equals(me.issuer()));
    return me.hasAnyRole(r.requirement().approverRoles()) && !own && !voted;
  }

  private static Fingerprint parse(String fingerprint) {
    try {
      return new Fingerprint(fingerprint);
    } catch (IllegalArgumentException e) {
      throw new PasskeyRejectedException("The action's fingerprint on this page was altered; nothing was decided.");
    }
  }

  @SuppressWarnings("unchecked")
  private static void putNonce(HttpSession session, String id, String nonce) {
    synchronized (WebUtils.getSessionMutex(session)) {
      Map<String, String> nonces = (Map<String, String>) session.getAttribute(NONCES);
      HashMap<String, String> next = nonces == null ? new HashMap<>() : new HashMap<>(nonces);
      if (next.size() > 100) {
        next.clear(); // a session that opened 100 pages without deciding: old pages simply expire
      }
      next.put(id, nonce);
      session.setAttribute(NONCES, next);
    }
  }

  @SuppressWarnings("unchecked")
  private static Optional<String> takeNonce(HttpSession session, String id) {
    synchronized (WebUtils.getSessionMutex(session)) {
      Map<String, String> nonces = (Map<String, String>) session.getAttribute(NONCES);
      if (nonces == null || !nonces.containsKey(id)) {
        return Optional.empty();
      }
      HashMap<String, String> next = new HashMap<>(nonces);
      String nonce = next.remove(id);
      session.setAttribute(NONCES, next);
      return Optional.ofNullable(nonce);
    }
  }
}
