/** Durable approval requests, their lifecycle, and waiting for a human's decision. */
@NullMarked
package dev.authoraization.approval;

import org.jspecify.annotations.NullMarked;
