package dev.authoraization.bench;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.authoraization.identity.IdentityProperties;
import dev.authoraization.identity.JwtCallers;
import dev.authoraization.identity.TrustedIssuers;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * The doors' bearer token check for a token the engine has seen before (ADR 0017: taken as
 * verified while it holds) against the baseline of checking it from scratch in the same run
 * (the issuer's decoder: parse, RS256 signature, issuer, audience and times, then the caller) —
 * what every call paid before.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class TokenCheckBenchmark {

  private static final String ISSUER = "https://issuer.bench";

  private TrustedIssuers issuers;
  private NimbusJwtDecoder decoder;
  private IdentityProperties.Issuer issuer;
  private String token;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    RSAKey key = new RSAKeyGenerator(2048).keyID("bench").generate();
    issuer = new IdentityProperties.Issuer(ISSUER, null, null, List.of("engine"), null, null, null, null);
    decoder = NimbusJwtDecoder.withPublicKey(key.toRSAPublicKey()).build();
    decoder.setJwtValidator(TrustedIssuers.validator(issuer));
    issuers = new TrustedIssuers(List.of(issuer), Map.of(ISSUER, () -> decoder));
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("bench").build(),
        new JWTClaimsSet.Builder().issuer(ISSUER).subject("alice").audience("engine")
            .claim("roles", List.of("developer")).claim("azp", "agent")
            .issueTime(new Date()).expirationTime(Date.from(Instant.now().plusSeconds(3600))).build());
    jwt.sign(new RSASSASigner(key));
    token = jwt.serialize();
    issuers.caller(token); // seen once, as an agent's first call
  }

  /** A token seen before: what the doors do now for an agent's second and later calls. */
  @Benchmark
  public Object remembered() {
    return issuers.caller(token);
  }

  /** Baseline: the same token checked from scratch by its issuer's decoder, then its caller. */
  @Benchmark
  public Object verified() {
    return JwtCallers.caller(decoder.decode(token), issuer.rolesClaim());
  }
}
