/** The chat and audit web UI: server-rendered pages, htmx and server-sent events, signed in with OpenID Connect. */
@NullMarked
package dev.authoraization.web.chat;

import org.jspecify.annotations.NullMarked;
