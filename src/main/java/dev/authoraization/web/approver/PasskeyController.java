package dev.authoraization.web.approver;

import dev.authoraization.approval.passkey.ActionChallenge;
import dev.authoraization.approval.passkey.PasskeyRejectedException;
import dev.authoraization.approval.passkey.Passkeys;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.util.Base64;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** Enrolling a passkey: part of an approver's first sign-in, and later to add another one. */
@Controller
@ConditionalOnBooleanProperty(name = "engine.identity.embedded.enabled", matchIfMissing = true)
class PasskeyController {

  static final String CHALLENGE = PasskeyController.class.getName() + ".challenge";

  private final Passkeys passkeys;

  PasskeyController(Passkeys passkeys) {
    this.passkeys = passkeys;
  }

  @GetMapping("/passkeys/enrol")
  String enrol(Authentication authentication, Model model, HttpSession session, HttpServletRequest request) {
    String challenge = ActionChallenge.newNonce();
    session.setAttribute(CHALLENGE, challenge);
    model.addAttribute("user", authentication.getName());
    model.addAttribute("enrolled", passkeys.of(authentication.getName()));
    model.addAttribute("options", passkeys.creationOptions(authentication.getName(), request.getServerName(), challenge));
    return "approver/enrol";
  }

  @PostMapping("/passkeys/enrol")
  String register(@RequestParam(defaultValue = "") String credential, Authentication authentication, Model model,
      HttpSession session, HttpServletRequest request, HttpServletResponse response, RedirectAttributes redirect) {
    Object challenge = session.getAttribute(CHALLENGE);
    session.removeAttribute(CHALLENGE);
    try {
      if (!(challenge instanceof String issued) || credential.isBlank()) {
        throw new PasskeyRejectedException("This enrolment page was already used or has expired; try again.");
      }
      passkeys.register(authentication.getName(), credential, Base64.getUrlDecoder().decode(issued),
          request.getServerName());
    } catch (PasskeyRejectedException e) {
      response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
      model.addAttribute("error", e.getMessage());
      return enrol(authentication, model, session, request);
    }
    redirect.addFlashAttribute("notice", "Passkey enrolled. Every approval and denial is now confirmed with it.");
    return "redirect:/approvals";
  }
}
