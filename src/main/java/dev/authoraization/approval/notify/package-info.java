/** Tells approvers at once that a request waits for them: e-mail, Slack, ntfy, signed webhooks. */
@NullMarked
package dev.authoraization.approval.notify;

import org.jspecify.annotations.NullMarked;
