package dev.authoraization.approval;

/** Published (after commit) whenever a request changes state. */
public record ApprovalChanged(String id, ApprovalState state) {}
