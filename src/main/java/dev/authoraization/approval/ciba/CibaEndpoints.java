package dev.authoraization.approval.ciba;

import java.net.URI;

/** Where the provider's CIBA endpoints and signing keys are (configured or discovered). */
public record CibaEndpoints(URI backchannelAuthentication, URI token, URI jwks) {

  /** Where this engine receives ping-mode notifications (register it at the provider). */
  public static final String NOTIFICATION_PATH = "/ciba/notify";
}
