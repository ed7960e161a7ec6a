/** The built-in credential vault: secrets encrypted with Tink AEAD under a keyset kept outside the database. */
@NullMarked
package dev.authoraization.credential.tink;

import org.jspecify.annotations.NullMarked;
