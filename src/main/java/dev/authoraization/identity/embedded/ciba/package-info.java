/** The embedded provider's CIBA endpoint: backchannel authentication requests and the CIBA grant. */
@NullMarked
package dev.authoraization.identity.embedded.ciba;

import org.jspecify.annotations.NullMarked;
