package dev.authoraization.tool;

/** How much harm a tool can do; policy and the credential vault both look at it. */
public enum Risk {
  /** Reads only. */
  READ,
  /** Changes something that can be undone (a comment). */
  WRITE,
  /** Changes something that cannot simply be undone (a merge). */
  DESTRUCTIVE
}
