/** The one gated pipeline every door ends in: ToolCall, Decision, ToolCallGateway. */
@NullMarked
package dev.authoraization.call;

import org.jspecify.annotations.NullMarked;
