/** Several engine nodes on one PostgreSQL: wake-ups by LISTEN/NOTIFY, a periodic re-check. */
@NullMarked
package dev.authoraization.approval.cluster;

import org.jspecify.annotations.NullMarked;
