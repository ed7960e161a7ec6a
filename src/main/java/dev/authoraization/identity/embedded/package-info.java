/** The engine's built-in OpenID provider: demo users, clients and signing keys it keeps. */
@NullMarked
package dev.authoraization.identity.embedded;

import org.jspecify.annotations.NullMarked;
