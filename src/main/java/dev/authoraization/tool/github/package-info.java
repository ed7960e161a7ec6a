/** GitHub's REST API as tools: a thin client, the tool descriptors, and their execution. */
@NullMarked
package dev.authoraization.tool.github;

import org.jspecify.annotations.NullMarked;
