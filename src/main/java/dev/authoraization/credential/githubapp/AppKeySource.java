package dev.authoraization.credential.githubapp;

import java.security.interfaces.RSAPrivateKey;

/**
 * Where the GitHub App's private key comes from: a PEM file for now, the engine's encrypted vault
 * later. Called when the vault is built and whenever it signs an App JWT.
 */
@FunctionalInterface
public interface AppKeySource {

  RSAPrivateKey privateKey();
}
