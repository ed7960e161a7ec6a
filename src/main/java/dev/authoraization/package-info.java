/**
 * The AuthorAIzation Engine: {@link dev.authoraization.EngineApplication} starts it, and
 * {@link dev.authoraization.EngineConfiguration} wires what the packages below share. The pipeline
 * a tool call runs through starts in {@link dev.authoraization.call.ToolCallGateway}.
 */
@NullMarked
package dev.authoraization;

import org.jspecify.annotations.NullMarked;
