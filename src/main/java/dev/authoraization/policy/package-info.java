/** The Policy SPI: allow, deny or needs approval for a call. */
@NullMarked
package dev.authoraization.policy;

import org.jspecify.annotations.NullMarked;
