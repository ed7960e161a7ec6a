/** GitHub credentials per call: App installation tokens narrowed to one repository, or a flagged PAT. */
@NullMarked
package dev.authoraization.credential.githubapp;

import org.jspecify.annotations.NullMarked;
