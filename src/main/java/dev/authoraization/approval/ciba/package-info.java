/** Approvals through an OpenID Connect CIBA provider (poll mode): Keycloak, Auth0, any CIBA server. */
@NullMarked
package dev.authoraization.approval.ciba;

import org.jspecify.annotations.NullMarked;
