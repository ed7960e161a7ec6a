/** The ToolProvider SPI, tool descriptors and the catalog of every tool the engine offers. */
@NullMarked
package dev.authoraization.tool;

import org.jspecify.annotations.NullMarked;
