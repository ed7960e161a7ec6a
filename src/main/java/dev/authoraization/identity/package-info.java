/** Turns a verified OpenID Connect token into a Caller. */
@NullMarked
package dev.authoraization.identity;

import org.jspecify.annotations.NullMarked;
