package dev.authoraization.sandbox;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What a sandbox endpoint requires, checked once by {@link SandboxAuthInterceptor} before the
 * handler runs: an App JWT, or an installation token (or the sandbox personal token) that covers
 * the repository in the path and grants one of the named permissions at the given level.
 *
 * @see <a href="https://docs.github.com/en/rest/authentication/permissions-required-for-github-apps">Permissions required for GitHub Apps</a>
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@interface SandboxAccess {

  enum Credential { APP_JWT, INSTALLATION_TOKEN }

  Credential value() default Credential.INSTALLATION_TOKEN;

  /** Any one of these permissions suffices; empty means repository metadata, which every token has. */
  String[] anyOf() default {};

  /** {@code read} or {@code write}; write implies read. */
  String level() default "read";
}
