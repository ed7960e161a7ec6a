/** The approver device: server-rendered pages where a human approves or denies with a passkey. */
@NullMarked
package dev.authoraization.web.approver;

import org.jspecify.annotations.NullMarked;
