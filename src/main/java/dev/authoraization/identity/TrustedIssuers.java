package dev.authoraization.identity;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.oauth2.sdk.GeneralException;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import dev.authoraization.call.Caller;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.authentication.AuthenticationManagerResolver;
import org.springframework.security.converter.RsaKeyConverters;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;

/**
 * The REST and MCP doors' token check: one decoder per trusted issuer, each checking the
 * signature (configured algorithms only), issuer, audience, {@code exp} (required), {@code nbf}
 * and {@code iat} within a bounded clock skew. A token naming any other issuer is refused before
 * any key is fetched. Decoders are built once, on first use, and cache their keys; a token that
 * passed is not checked again while it is valid ({@link VerifiedTokens}, ADR 0017).
 */
public final class TrustedIssuers {

  private static final Logger log = LoggerFactory.getLogger(TrustedIssuers.class);
  private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final Map<String, LazyManager> trusted;
  private final VerifiedTokens verified;

  /**
   * @param builtIn decoders for issuers served by this engine itself, by issuer URI, so that
   *     their keys are read in process instead of over HTTP
   */
  public TrustedIssuers(List<IdentityProperties.Issuer> issuers, Map<String, Supplier<JwtDecoder>> builtIn) {
    this(issuers, builtIn, Clock.systemUTC());
  }

  TrustedIssuers(List<IdentityProperties.Issuer> issuers, Map<String, Supplier<JwtDecoder>> builtIn, Clock clock) {
    Map<String, LazyManager> managers = new HashMap<>();
    for (IdentityProperties.Issuer issuer : issuers) {
      Supplier<JwtDecoder> decoder = builtIn.getOrDefault(issuer.uri(), () -> decoder(issuer));
      managers.put(issuer.uri(), new LazyManager(issuer, decoder));
    }
    this.trusted = Map.copyOf(managers);
    this.verified = new VerifiedTokens(clock);
  }

  /**
   * The caller of an access token the web UI received at sign-in, checked exactly as at the REST
   * door.
   *
   * @throws AuthenticationException when the token is not a JWT of a trusted issuer or fails a check
   */
  public Caller caller(String accessToken) {
    return authenticate(new BearerTokenAuthenticationToken(accessToken)).caller();
  }

  /** The doors' token check, for Spring Security's bearer token filter. */
  public AuthenticationManagerResolver<HttpServletRequest> resolver() {
    AuthenticationManager doors = authentication -> authenticate((BearerTokenAuthenticationToken) authentication);
    return request -> doors;
  }

  /**
   * A token checked before and still within its time is taken as checked; any other is checked
   * by its issuer's decoder. The unverified {@code iss} only picks that decoder, which then checks
   * it all; a token naming no trusted issuer is refused before any key is fetched.
   */
  private CallerAuthentication authenticate(BearerTokenAuthenticationToken bearer) {
    Optional<CallerAuthentication> known = verified.find(bearer.getToken());
    if (known.isPresent()) {
      known.get().setDetails(bearer.getDetails()); // as JwtAuthenticationProvider does
      return known.get();
    }
    String issuer;
    try {
      JWTClaimsSet claims = JWTParser.parse(bearer.getToken()).getJWTClaimsSet(); // none readable in a JWE
      issuer = claims == null ? null : claims.getIssuer();
    } catch (ParseException | RuntimeException e) {
      throw new InvalidBearerTokenException("The access token is not a JWT.");
    }
    LazyManager manager = issuer == null ? null : trusted.get(issuer);
    if (manager == null) {
      throw new InvalidBearerTokenException("The access token's issuer is not trusted.");
    }
    if (manager.authenticate(bearer) instanceof CallerAuthentication caller) {
      verified.remember(caller, manager.issuer.keys().cache());
      return caller;
    }
    throw new InvalidBearerTokenException("The access token names no caller.");
  }

  /** Builds its decoder on first use: discovery may need the issuer to be up. */
  private static final class LazyManager implements AuthenticationManager {
    private final IdentityProperties.Issuer issuer;
    private final Supplier<JwtDecoder> decoder;
    private volatile AuthenticationManager delegate;
    private volatile long lastWarned;

    LazyManager(IdentityProperties.Issuer issuer, Supplier<JwtDecoder> decoder) {
      this.issuer = issuer;
      this.decoder = decoder;
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
      AuthenticationManager manager = delegate;
      if (manager == null) {
        synchronized (this) {
          if (delegate == null) {
            JwtDecoder built;
            try {
              built = decoder.get();
            } catch (RuntimeException discoveryFailed) {
              // not cached: the next request tries again, so the engine recovers with the issuer
              throw unavailable(discoveryFailed);
            }
            if (built instanceof NimbusJwtDecoder nimbus) {
              nimbus.setJwtValidator(validator(issuer));
            }
            JwtAuthenticationProvider provider = new JwtAuthenticationProvider(built);
            provider.setJwtAuthenticationConverter(
                jwt -> new CallerAuthentication(jwt, JwtCallers.caller(jwt, issuer.rolesClaim())));
            delegate = provider::authenticate;
          }
          manager = delegate;
        }
      }
      try {
        return manager.authenticate(authentication);
      } catch (AuthenticationServiceException keysUnavailable) {
        // Spring Security's wrapping of a JwtException that is not a bad token: the JWKS fetch failed
        throw unavailable(keysUnavailable);
      }
    }

    /** Tells the operator too, at most once a minute per issuer: callers only see 503s. */
    private IdentityUnavailableException unavailable(RuntimeException cause) {
      long now = System.nanoTime();
      if (lastWarned == 0 || now - lastWarned > WARN_EVERY_NANOS) {
        lastWarned = now;
        Throwable root = NestedExceptionUtils.getMostSpecificCause(cause);
        log.warn("Identity provider {} unavailable: its signing keys could not be fetched ({}); tokens it signed "
            + "get 503 until it answers (repeated at most once a minute; /actuator/health shows identity)",
            issuer.uri(), root.getClass().getSimpleName());
      }
      return new IdentityUnavailableException(issuer.uri(), cause);
    }
  }

  static NimbusJwtDecoder decoder(IdentityProperties.Issuer issuer) {
    List<SignatureAlgorithm> algorithms = issuer.algorithms().stream().map(SignatureAlgorithm::from)
        .filter(Objects::nonNull).toList();
    if (!issuer.publicKeyLocation().isEmpty()) {
      return NimbusJwtDecoder.withPublicKey(readPublicKey(issuer.publicKeyLocation()))
          .signatureAlgorithm(SignatureAlgorithm.RS256).build();
    }
    // a discovered JWKS is fetched exactly as a configured one: bounded, cached, outage tolerant
    String jwkSetUri = issuer.jwkSetUri().isEmpty() ? discoverKeys(issuer) : issuer.jwkSetUri();
    return NimbusJwtDecoder.withJwkSource(keys(jwkSetUri, issuer.keys()))
        .jwsAlgorithms(set -> set.addAll(algorithms)).build();
  }

  /**
   * The {@code jwks_uri} of the issuer's OpenID Connect discovery document, fetched within the
   * keys timeout; the document must name the configured issuer exactly.
   */
  static String discoverKeys(IdentityProperties.Issuer issuer) {
    int millis = Math.toIntExact(issuer.keys().timeout().toMillis());
    try {
      OIDCProviderMetadata metadata = OIDCProviderMetadata.resolve(new Issuer(issuer.uri()), millis, millis);
      if (metadata.getJWKSetURI() == null) {
        throw new IllegalStateException("The discovery document of " + issuer.uri() + " names no jwks_uri; set "
            + "engine.identity.issuers[].jwk-set-uri");
      }
      return metadata.getJWKSetURI().toString();
    } catch (GeneralException | IOException e) {
      throw new IllegalStateException("Cannot read the OpenID Connect discovery document of " + issuer.uri() + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * An issuer's JWKS (Nimbus {@link JWKSourceBuilder}): bounded fetches, a cache, and outage
   * tolerance, so a briefly unreachable identity provider does not stop tokens whose keys were
   * fetched recently. No rate limit: after an outage the next token fetches at once.
   */
  static JWKSource<SecurityContext> keys(String jwkSetUri, IdentityProperties.Keys keys) {
    try {
      int millis = Math.toIntExact(keys.timeout().toMillis());
      JWKSourceBuilder<SecurityContext> builder = JWKSourceBuilder.create(URI.create(jwkSetUri).toURL(),
              new DefaultResourceRetriever(millis, millis, 512 * 1024))
          .cache(keys.cache().toMillis(), keys.timeout().toMillis())
          .refreshAheadCache(false)
          .rateLimited(false)
          .retrying(false);
      return (keys.outageTolerance().isZero() ? builder.outageTolerant(false)
          : builder.outageTolerant(keys.outageTolerance().toMillis())).build();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("engine.identity.issuers[].jwk-set-uri is not a URL: " + jwkSetUri, e);
    }
  }

  /** Every check a token must pass besides its signature. */
  public static OAuth2TokenValidator<Jwt> validator(IdentityProperties.Issuer issuer) {
    List<OAuth2TokenValidator<Jwt>> checks = new ArrayList<>();
    checks.add(new JwtTimestampValidator(issuer.clockSkew()));
    checks.add(new JwtIssuerValidator(issuer.uri()));
    checks.add(new JwtClaimValidator<Object>(JwtClaimNames.EXP, Objects::nonNull));
    checks.add(new JwtClaimValidator<Object>(JwtClaimNames.SUB, sub -> sub instanceof String s && !s.isBlank()));
    checks.add(new JwtClaimValidator<List<String>>(JwtClaimNames.AUD,
        aud -> aud != null && aud.stream().anyMatch(issuer.audiences()::contains)));
    return new DelegatingOAuth2TokenValidator<>(checks);
  }

  private static RSAPublicKey readPublicKey(String location) {
    try (InputStream in = new DefaultResourceLoader().getResource(location).getInputStream()) {
      return RsaKeyConverters.x509().convert(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the public key at " + location, e);
    }
  }
}
