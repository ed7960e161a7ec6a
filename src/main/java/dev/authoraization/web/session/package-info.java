/** Browser sessions kept in the database (Spring Session JDBC), so any node serves any request. */
@NullMarked
package dev.authoraization.web.session;

import org.jspecify.annotations.NullMarked;
