package dev.authoraization.approval.ciba;

import dev.authoraization.call.Caller;
import dev.authoraization.call.Fingerprint;
import dev.authoraization.identity.JwtCallers;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.web.client.RestOperations;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What must hold before a CIBA answer counts as an approval (CIBA Core 10.2 and OpenID Connect
 * Core 3.1.3.7), checked by Spring Security's {@link NimbusJwtDecoder}, not by hand:
 *
 * <ol>
 *   <li>the ID token's signature against the provider's JWKS, with an accepted algorithm;
 *   <li>{@code iss} is the configured issuer, {@code aud} contains our client id, {@code exp} is
 *       in the future;
 *   <li>the subject is the approver we asked (per provider: Keycloak's {@code preferred_username}
 *       or {@code email} equals the login hint, Auth0's {@code sub} equals it);
 *   <li>{@code auth_time} (or {@code iat} when absent) is not before the request was sent;
 *   <li>returned {@code authorization_details} of our type name exactly this action's fingerprint;
 *   <li>a JWT access token, whose roles are used, is signed by the same issuer for the same subject.
 * </ol>
 */
public final class CibaTokenVerifier {

  static final String DETAILS_TYPE = "authoraization_action";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final CibaProperties properties;
  private final Supplier<CibaEndpoints> endpoints;
  private final RestOperations rest;
  private volatile NimbusJwtDecoder decoder;

  public CibaTokenVerifier(CibaProperties properties, Supplier<CibaEndpoints> endpoints, RestOperations rest) {
    this.properties = properties;
    this.endpoints = endpoints;
    this.rest = rest;
  }

  /** What the channel knew when it asked: who, when, for which action. */
  public record Asked(String loginHint, Instant sentAt, Fingerprint fingerprint) {}

  /** The outcome of a verification. */
  public sealed interface Result {
    /** The tokens prove that {@code approver} approved; {@code idToken} for the evidence. */
    record Verified(Caller approver, Jwt idToken) implements Result {}

    /** They do not; the reason names the failed check and never holds a token. */
    record Refused(String reason) implements Result {}
  }

  public Result verify(CibaClient.PollResult.Tokens tokens, Asked asked) {
    Jwt id;
    try {
      id = decoder().decode(tokens.idToken());
    } catch (JwtException e) {
      return new Result.Refused("id_token rejected: " + firstLine(e.getMessage()));
    }
    List<String> aud = id.getAudience() == null ? List.of() : id.getAudience();
    if (!aud.contains(properties.clientId())) {
      return new Result.Refused("id_token was not issued to this client (aud)");
    }
    if (!isTheApproverAsked(id, asked.loginHint())) {
      return new Result.Refused("id_token is for another user than the approver asked");
    }
    Instant authenticated = Optional.ofNullable(id.<Object>getClaim("auth_time")).map(CibaTokenVerifier::instant)
        .or(() -> Optional.ofNullable(id.getIssuedAt()))
        .orElse(Instant.EPOCH);
    if (authenticated.isBefore(asked.sentAt().truncatedTo(ChronoUnit.SECONDS).minus(properties.clockSkew()))) {
      return new Result.Refused("the approver authenticated before the request was sent (auth_time)");
    }
    Optional<String> detailsProblem = tokens.authorizationDetails().flatMap(d -> detailsProblem(d, asked.fingerprint()));
    if (detailsProblem.isPresent()) {
      return new Result.Refused(detailsProblem.get());
    }
    Caller approver;
    if (isJwt(tokens.accessToken())) {
      Jwt access;
      try {
        access = decoder().decode(tokens.accessToken());
      } catch (JwtException e) {
        return new Result.Refused("access_token rejected: " + firstLine(e.getMessage()));
      }
      if (!Objects.equals(access.getSubject(), id.getSubject())) {
        return new Result.Refused("access_token and id_token name different subjects");
      }
      Optional<String> accessDetails = Optional.ofNullable(access.<Object>getClaim("authorization_details"))
          .flatMap(d -> detailsProblem(JSON.valueToTree(d), asked.fingerprint()));
      if (accessDetails.isPresent()) {
        return new Result.Refused(accessDetails.get());
      }
      approver = JwtCallers.caller(access, properties.rolesClaim());
    } else {
      // an opaque access token says nothing we can check: roles come from the ID token, if any
      approver = JwtCallers.caller(id, properties.rolesClaim());
    }
    return new Result.Verified(Caller.of(approver.subject(), approver.issuer(), approver.roles()), id);
  }

  private boolean isTheApproverAsked(Jwt id, String hint) {
    String sub = id.getSubject();
    String username = id.getClaimAsString("preferred_username");
    String email = id.getClaimAsString("email");
    return switch (properties.provider()) {
      case KEYCLOAK -> hint.equals(username) || (hint.contains("@") && hint.equalsIgnoreCase(email));
      case AUTH0 -> hint.equals(sub);
      case GENERIC -> hint.equals(sub) || hint.equals(username) || (hint.contains("@") && hint.equalsIgnoreCase(email));
    };
  }

  /** RFC 9396: every entry of our type must name this action's fingerprint, and one must exist. */
  static Optional<String> detailsProblem(JsonNode details, Fingerprint fingerprint) {
    if (!details.isArray()) {
      return Optional.of("authorization_details is not an array");
    }
    int ours = 0;
    for (JsonNode entry : details) {
      if (DETAILS_TYPE.equals(entry.path("type").asString(""))) {
        if (!fingerprint.hex().equals(entry.path("fingerprint").asString(""))) {
          return Optional.of("authorization_details name another action than the one asked");
        }
        ours++;
      }
    }
    return ours == 0 ? Optional.of("authorization_details do not name the action asked") : Optional.empty();
  }

  private NimbusJwtDecoder decoder() {
    NimbusJwtDecoder known = decoder;
    if (known != null) {
      return known;
    }
    synchronized (this) {
      if (decoder == null) {
        List<SignatureAlgorithm> algorithms = properties.algorithms().stream().map(SignatureAlgorithm::from)
            .filter(Objects::nonNull).toList();
        NimbusJwtDecoder built = NimbusJwtDecoder.withJwkSetUri(endpoints.get().jwks().toString())
            .jwsAlgorithms(set -> set.addAll(algorithms)).restOperations(rest).build();
        List<OAuth2TokenValidator<Jwt>> checks = new ArrayList<>();
        checks.add(new JwtTimestampValidator(properties.clockSkew()));
        checks.add(new JwtIssuerValidator(properties.issuer()));
        checks.add(new JwtClaimValidator<Object>(JwtClaimNames.EXP, Objects::nonNull));
        checks.add(new JwtClaimValidator<Object>(JwtClaimNames.SUB, sub -> sub instanceof String s && !s.isBlank()));
        built.setJwtValidator(new DelegatingOAuth2TokenValidator<>(checks));
        decoder = built;
      }
      return decoder;
    }
  }

  private static boolean isJwt(String token) {
    return token.chars().filter(c -> c == '.').count() == 2;
  }

  private static Instant instant(Object claim) {
    return switch (claim) {
      case Instant i -> i;
      case Number n -> Instant.ofEpochSecond(n.longValue());
      default -> Instant.EPOCH;
    };
  }

  private static String firstLine(String message) {
    String text = message == null ? "" : message;
    // Spring's messages name the failed check; cut them short and never echo a token
    int cut = Math.min(text.length(), 160);
    return text.substring(0, cut).replaceAll("eyJ[A-Za-z0-9_-]+", "(token)");
  }

}
