/** The rules policy: an ordered YAML list of rules with CEL conditions, compiled once at load. */
@NullMarked
package dev.authoraization.policy.rules;

import org.jspecify.annotations.NullMarked;
