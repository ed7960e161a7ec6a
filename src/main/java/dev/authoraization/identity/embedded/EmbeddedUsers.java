package dev.authoraization.identity.embedded;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;

/**
 * The provider's users, in table {@code identity_user}. Passwords are stored only as
 * {@code DelegatingPasswordEncoder} hashes. A user's roles become authorities {@code ROLE_<role>}
 * for the login and the {@code roles} claim of its access tokens.
 */
public class EmbeddedUsers implements UserDetailsService {

  private final JdbcClient jdbc;

  public EmbeddedUsers(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** A stored user. */
  record Row(String username, String passwordHash, List<String> roles, boolean enabled) {}

  @Override
  public UserDetails loadUserByUsername(String username) {
    Row row = find(username).orElseThrow(() -> new UsernameNotFoundException("No such user"));
    return User.withUsername(row.username()).password(row.passwordHash())
        .authorities(row.roles().stream().map(role -> new SimpleGrantedAuthority("ROLE_" + role)).toList())
        .disabled(!row.enabled()).build();
  }

  Optional<Row> find(String username) {
    return jdbc.sql("SELECT username, password_hash, roles, enabled FROM identity_user WHERE username = ?")
        .param(username)
        .query((rs, n) -> new Row(rs.getString(1), rs.getString(2), split(rs.getString(3)), rs.getBoolean(4)))
        .optional();
  }

  /** The roles of an enabled user; empty when there is no such user or it is disabled. */
  public Optional<List<String>> roles(String username) {
    return find(username).filter(Row::enabled).map(Row::roles);
  }

  /** The enabled users holding any of {@code roles}, by name. */
  public List<String> withAnyRole(java.util.Set<String> roles) {
    return jdbc.sql("SELECT username, roles FROM identity_user WHERE enabled = TRUE ORDER BY username")
        .query((rs, n) -> new Row(rs.getString(1), "", split(rs.getString(2)), true)).list().stream()
        .filter(row -> row.roles().stream().anyMatch(roles::contains)).map(Row::username).toList();
  }

  /** Adds a user; false when one with that name exists already (another node may have won). */
  boolean create(String username, String passwordHash, List<String> roles) {
    try {
      return jdbc.sql("INSERT INTO identity_user (username, password_hash, roles) VALUES (?, ?, ?)")
          .params(username, passwordHash, String.join(" ", roles)).update() == 1;
    } catch (DuplicateKeyException exists) {
      return false;
    }
  }

  void update(String username, String passwordHash, List<String> roles) {
    jdbc.sql("UPDATE identity_user SET password_hash = ?, roles = ? WHERE username = ?")
        .params(passwordHash, String.join(" ", roles), username).update();
  }

  private static List<String> split(String roles) {
    return Arrays.stream(roles.trim().split("\\s+")).filter(role -> !role.isEmpty()).toList();
  }
}
