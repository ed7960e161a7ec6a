package dev.authoraization.identity.embedded;

import com.nimbusds.jose.jwk.RSAKey;

/**
 * Where the provider's signing key lives. Created on first use and kept, so that tokens stay
 * valid across restarts and several nodes can share one key. (A later step moves the key into the
 * encrypted vault behind this same interface.)
 */
public interface SigningKeyStore {

  /** The RSA signing key with its private part and a {@code kid}. */
  RSAKey signingKey();
}
