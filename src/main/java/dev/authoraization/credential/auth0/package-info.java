/** The user's GitHub token from Auth0: Token Vault exchange, or the Management API for older tenants. */
@NullMarked
package dev.authoraization.credential.auth0;

import org.jspecify.annotations.NullMarked;
