/** Passkeys (WebAuthn) that confirm an approver's decision on one exact action. */
@NullMarked
package dev.authoraization.approval.passkey;

import org.jspecify.annotations.NullMarked;
