/** The REST door, its security configuration and RFC 9457 problem details. */
@NullMarked
package dev.authoraization.web;

import org.jspecify.annotations.NullMarked;
