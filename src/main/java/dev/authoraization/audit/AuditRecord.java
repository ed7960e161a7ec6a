package dev.authoraization.audit;

import java.time.Instant;

/**
 * An entry as stored: its place in the chain, its time, the previous record's hash and its own.
 *
 * @param seq position in the chain, from 1
 * @param hash SHA-256 (hex) over the canonical form of this record's fields and {@code prevHash}
 */
public record AuditRecord(long seq, Instant at, AuditEntry entry, String prevHash, String hash) {}
