/** The append-only, hash-chained audit log and its verifier. */
@NullMarked
package dev.authoraization.audit;

import org.jspecify.annotations.NullMarked;
