/** The CredentialVault SPI: short-lived, narrowed, redacted credentials issued per call. */
@NullMarked
package dev.authoraization.credential;

import org.jspecify.annotations.NullMarked;
