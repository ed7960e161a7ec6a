/** The user's upstream token that Keycloak stored when they signed in through an identity provider. */
@NullMarked
package dev.authoraization.credential.keycloak;

import org.jspecify.annotations.NullMarked;
