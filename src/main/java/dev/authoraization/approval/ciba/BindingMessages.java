package dev.authoraization.approval.ciba;

import dev.authoraization.approval.ApprovalRequest;
import dev.authoraization.approval.VisibleText;
import dev.authoraization.call.Fingerprint;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The {@code binding_message} of a backchannel authentication request (CIBA Core 7.1): a short
 * text shown both on the engine's page and on the approver's device, so the approver can tell
 * that the two belong together. Providers restrict it differently, and a message they refuse
 * fails the whole request, so each one gets a message built to its rule:
 *
 * <ul>
 *   <li>Keycloak: {@code ^[a-zA-Z0-9-._+/!?#]{1,50}$}, so no spaces. It gets a code only; the
 *       readable summary travels as an extra form parameter that Keycloak passes on to its
 *       authentication channel.
 *   <li>Auth0: at most 64 characters of letters, digits, spaces and {@code +-_.,:#}. It gets the
 *       code followed by as much of the summary as fits.
 *   <li>Any other provider: the code only, the most portable form.
 * </ul>
 *
 * The code ({@code AZ-} and the first 8 hex digits of the action's fingerprint) is always there,
 * so that a truncated summary can never make two actions look alike to the approver.
 */
public final class BindingMessages {

  static final Pattern KEYCLOAK = Pattern.compile("^[a-zA-Z0-9-._+/!?#]{1,50}$");
  static final Pattern AUTH0 = Pattern.compile("^[a-zA-Z0-9 +\\-_.,:#]{1,64}$");
  static final int AUTH0_MAX = 64;
  static final int SUMMARY_MAX = 200;
  private static final Pattern AUTH0_REFUSED = Pattern.compile("[^a-zA-Z0-9 +\\-_.,:#]");
  private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

  private BindingMessages() {}

  /** {@code AZ-} and the first 8 hex digits of the fingerprint, upper case: matches every rule. */
  public static String code(Fingerprint fingerprint) {
    return "AZ-" + fingerprint.hex().substring(0, 8).toUpperCase(Locale.ROOT);
  }

  /** The binding message for {@code provider}; always within that provider's rule. */
  public static String forProvider(CibaProperties.Provider provider, Fingerprint fingerprint, String summary) {
    return switch (provider) {
      case KEYCLOAK, GENERIC -> code(fingerprint);
      case AUTH0 -> auth0(fingerprint, summary);
    };
  }

  static String auth0(Fingerprint fingerprint, String summary) {
    String readable = AUTH0_REFUSED.matcher(summary).replaceAll(" ").replaceAll("\\s+", " ").strip();
    String message = readable.isEmpty() ? code(fingerprint) : code(fingerprint) + " " + readable;
    return message.length() <= AUTH0_MAX ? message : message.substring(0, AUTH0_MAX).strip();
  }

  /**
   * What the approver is asked, in words: the tool and the resource it acts on, with direction
   * overrides and invisible characters shown as codes ({@link VisibleText}).
   */
  public static String summary(ApprovalRequest request) {
    String text = request.resource().isBlank()
        ? request.call().tool() : request.call().tool() + " on " + request.resource();
    // direction overrides and invisible characters become visible codes on the approver's device too
    String clean = VisibleText.show(CONTROL.matcher(text).replaceAll(" ")).strip();
    return clean.length() <= SUMMARY_MAX ? clean : clean.substring(0, SUMMARY_MAX);
  }
}
