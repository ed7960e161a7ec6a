/** The embedded GitHub-compatible sandbox forge over real Git repositories (JGit), and its demo data. */
@NullMarked
package dev.authoraization.sandbox;

import org.jspecify.annotations.NullMarked;
