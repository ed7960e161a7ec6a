/** The MCP door: the engine as an MCP server over Streamable HTTP, an OAuth 2.1 protected resource. */
@NullMarked
package dev.authoraization.mcp;

import org.jspecify.annotations.NullMarked;
