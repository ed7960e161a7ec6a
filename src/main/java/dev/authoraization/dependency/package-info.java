/** The engine's outside dependencies failing: bounded retries, circuit breakers and their health. */
@NullMarked
package dev.authoraization.dependency;

import org.jspecify.annotations.NullMarked;
