package dev.authoraization.web.chat;

import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.approval.Approvals;
import dev.authoraization.call.ErrorCode;
import dev.authoraization.call.GatewayException;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * The QR code on the approval card: the approver page's address, for an approver to open on
 * their phone. It is an image of its own rather than inline in the card because the card is also
 * rendered off-request (streamed over server-sent events), and only a request says at which
 * address the browser reaches the engine (behind a proxy, with
 * {@code server.forward-headers-strategy}). The image is same-origin, so the page's
 * Content-Security-Policy ({@code img-src 'self'}) needs nothing new.
 *
 * <p>Only the requester's own pending card gets one; the code carries the page address and
 * nothing else (no token, no binding code: the approver compares that by eye).
 */
@Controller
class ApproverQrController {

  private final Approvals approvals;

  ApproverQrController(Approvals approvals) {
    this.approvals = approvals;
  }

  @GetMapping(path = "/chat/approvals/{id}/qr.png", produces = MediaType.IMAGE_PNG_VALUE)
  ResponseEntity<byte[]> qr(@PathVariable String id, @AuthenticationPrincipal ChatUser user) {
    ApprovalRequest request;
    try {
      request = approvals.get(id);
    } catch (GatewayException e) {
      if (e.code() != ErrorCode.APPROVAL_NOT_FOUND) {
        throw e;
      }
      throw notFound();
    }
    // someone else's request is as unknown as a missing one: ids are not to be probed
    if (!request.requester().principal().equals(user.caller().principal())) {
      throw notFound();
    }
    return ResponseEntity.ok().contentType(MediaType.IMAGE_PNG).cacheControl(CacheControl.noStore())
        .body(ApproverQr.png(link(request.id())));
  }

  /** The absolute address of the approver page, as the browser reaches this engine. */
  static String link(String approvalId) {
    return ServletUriComponentsBuilder.fromCurrentContextPath().path("/approvals/{id}")
        .buildAndExpand(approvalId).encode().toUriString();
  }

  private static ResponseStatusException notFound() {
    return new ResponseStatusException(HttpStatus.NOT_FOUND, "No such approval request of yours.");
  }
}
