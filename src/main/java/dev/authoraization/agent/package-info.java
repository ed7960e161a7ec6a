/** The chat agent: a model loop whose every tool call goes through the gateway, paused durably for approvals. */
@NullMarked
package dev.authoraization.agent;

import org.jspecify.annotations.NullMarked;
