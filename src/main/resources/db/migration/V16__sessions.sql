-- Browser sessions (Spring Session JDBC, docs/adr/0016-sessions-in-the-database.md): the chat's
-- and the approver pages' sign-in, CSRF tokens, nonces. Any node reads a session another wrote.
-- Spring Session's own schema (schema-postgresql.sql of spring-session-jdbc 4.0), the same on H2
-- and PostgreSQL; Spring's init scripts are off (spring.session.jdbc.initialize-schema: never).
-- One change: principal_name is 255 wide, not 100 (an OpenID Connect subject may be 255 long).
-- As sensitive as the vault: the attributes hold signed-in users' ID tokens and claims.
CREATE TABLE spring_session (
    primary_id            CHAR(36)     NOT NULL,
    session_id            CHAR(36)     NOT NULL,
    creation_time         BIGINT       NOT NULL,
    last_access_time      BIGINT       NOT NULL,
    max_inactive_interval INT          NOT NULL,
    -- epoch milliseconds; the cleanup job deletes rows below now (spring.session.jdbc.cleanup-cron)
    expiry_time           BIGINT       NOT NULL,
    principal_name        VARCHAR(255),
    CONSTRAINT spring_session_pk PRIMARY KEY (primary_id)
);

CREATE UNIQUE INDEX spring_session_ix1 ON spring_session (session_id);
CREATE INDEX spring_session_ix2 ON spring_session (expiry_time);
CREATE INDEX spring_session_ix3 ON spring_session (principal_name);

CREATE TABLE spring_session_attributes (
    session_primary_id CHAR(36)     NOT NULL,
    attribute_name     VARCHAR(200) NOT NULL,
    -- Java serialization, read back through an allowlist of classes (web/session/SessionAttributeCodec)
    attribute_bytes    BYTEA        NOT NULL,
    CONSTRAINT spring_session_attributes_pk PRIMARY KEY (session_primary_id, attribute_name),
    CONSTRAINT spring_session_attributes_fk FOREIGN KEY (session_primary_id)
        REFERENCES spring_session (primary_id) ON DELETE CASCADE
);
