package dev.authoraization.audit;

import java.util.Optional;

/**
 * The result of walking the chain.
 *
 * @param intact true when every record's hash and link check out
 * @param checked how many records were checked
 * @param firstBroken the sequence number of the first record that does not check out
 * @param detail what was wrong there, or "ok"
 */
public record Verification(boolean intact, long checked, Optional<Long> firstBroken, String detail) {}
