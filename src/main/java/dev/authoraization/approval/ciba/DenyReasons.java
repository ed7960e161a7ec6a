package dev.authoraization.approval.ciba;

import dev.authoraization.approval.VisibleText;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The approver's reason for a deny, carried from the embedded provider to the CIBA client in the
 * token endpoint's {@code access_denied} answer. RFC 6749 section 5.2 allows an
 * {@code error_description} of printable ASCII except {@code "} and {@code \}, so the provider
 * writes {@link #PREFIX} and the reason with every other character as {@code [U+XXXX]} (the
 * notation of {@link VisibleText}); the client reads it back only after that prefix, so another
 * provider's description ("not authorized") is never taken for the approver's words. Keycloak
 * and Auth0 send no reason.
 *
 * <p>The reason is untrusted text: the client turns the codes back into characters, folds
 * whitespace, caps the length at {@link #MAX_LENGTH} and shows any hiding character as its code
 * ({@link VisibleText#show}), so a direction override or a newline-separated "instruction" arrives
 * as one plain, visible line of data.
 */
public final class DenyReasons {

  /** What the embedded provider's {@code error_description} starts with when the approver gave a reason. */
  public static final String PREFIX = "Denied by the approver: ";
  /** The longest reason the client records, in characters. */
  public static final int MAX_LENGTH = 200;

  private static final Pattern RFC6749 = Pattern.compile("[\\x20-\\x21\\x23-\\x5B\\x5D-\\x7E]*");
  private static final Pattern CODE = Pattern.compile("\\[U\\+([0-9A-F]{4,6})]");

  private DenyReasons() {}

  /** The {@code error_description} for a deny with {@code reason} (the provider's side). */
  public static String errorDescription(String reason) {
    StringBuilder out = new StringBuilder(PREFIX);
    reason.strip().codePoints().forEach(cp -> {
      if (cp >= 0x20 && cp <= 0x7E && cp != '"' && cp != '\\') {
        out.appendCodePoint(cp);
      } else {
        out.append("[U+").append(String.format(Locale.ROOT, "%04X", cp)).append(']');
      }
    });
    return out.toString();
  }

  /** The approver's reason in {@code description} (the client's side), or empty when it carries none. */
  public static Optional<String> reason(String description) {
    if (!description.startsWith(PREFIX) || description.length() > 8000 || !RFC6749.matcher(description).matches()) {
      return Optional.empty();
    }
    Matcher codes = CODE.matcher(description.substring(PREFIX.length()));
    StringBuilder decoded = new StringBuilder();
    while (codes.find()) {
      int cp = Integer.parseInt(codes.group(1), 16);
      // every character comes back here; VisibleText.show below turns the hiding ones into codes
      // again, in context (a zero-width joiner inside an emoji is part of it, elsewhere it hides)
      codes.appendReplacement(decoded, Matcher.quoteReplacement(
          Character.isValidCodePoint(cp) ? new String(Character.toChars(cp)) : codes.group()));
    }
    codes.appendTail(decoded);
    String folded = decoded.toString().replaceAll("\\s+", " ").strip();
    if (folded.isEmpty()) {
      return Optional.empty();
    }
    if (folded.codePointCount(0, folded.length()) > MAX_LENGTH) {
      folded = folded.substring(0, folded.offsetByCodePoints(0, MAX_LENGTH - 1)) + "…";
    }
    return Optional.of(VisibleText.show(folded));
  }
}
