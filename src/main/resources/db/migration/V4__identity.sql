-- The embedded OpenID provider (identity/embedded): its users, and Spring Authorization Server's
-- JDBC tables. The SAS tables follow the schema SQL shipped in its jar
-- (org/springframework/security/oauth2/server/authorization/*.sql) with two portable changes:
-- 'blob' becomes 'varchar' without a length (unbounded on PostgreSQL, up to 1,000,000 characters
-- on H2), which JdbcOAuth2AuthorizationService reads and writes as a plain string and which, unlike
-- a LOB, both databases can compare in its 'WHERE access_token_value = ?' lookups; 'timestamp'
-- becomes 'timestamp with time zone' so instants survive any server time zone.

CREATE TABLE identity_user (
    username      varchar(100)  NOT NULL PRIMARY KEY,
    -- a Spring DelegatingPasswordEncoder hash ({bcrypt}...), never a plain password
    password_hash varchar(500)  NOT NULL,
    -- space-separated role names, e.g. 'developer'
    roles         varchar(1000) NOT NULL,
    enabled       boolean       NOT NULL DEFAULT TRUE,
    created_at    timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE oauth2_registered_client (
    id                            varchar(100)  NOT NULL,
    client_id                     varchar(100)  NOT NULL,
    client_id_issued_at           timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    client_secret                 varchar(200)  DEFAULT NULL,
    client_secret_expires_at      timestamp with time zone DEFAULT NULL,
    client_name                   varchar(200)  NOT NULL,
    client_authentication_methods varchar(1000) NOT NULL,
    authorization_grant_types     varchar(1000) NOT NULL,
    redirect_uris                 varchar(1000) DEFAULT NULL,
    post_logout_redirect_uris     varchar(1000) DEFAULT NULL,
    scopes                        varchar(1000) NOT NULL,
    client_settings               varchar(2000) NOT NULL,
    token_settings                varchar(2000) NOT NULL,
    PRIMARY KEY (id)
);
CREATE UNIQUE INDEX oauth2_registered_client_client_id ON oauth2_registered_client (client_id);

CREATE TABLE oauth2_authorization (
    id                            varchar(100)  NOT NULL,
    registered_client_id          varchar(100)  NOT NULL,
    principal_name                varchar(200)  NOT NULL,
    authorization_grant_type      varchar(100)  NOT NULL,
    authorized_scopes             varchar(1000) DEFAULT NULL,
    attributes                    varchar DEFAULT NULL,
    state                         varchar(500)  DEFAULT NULL,
    authorization_code_value      varchar DEFAULT NULL,
    authorization_code_issued_at  timestamp with time zone DEFAULT NULL,
    authorization_code_expires_at timestamp with time zone DEFAULT NULL,
    authorization_code_metadata   varchar DEFAULT NULL,
    access_token_value            varchar DEFAULT NULL,
    access_token_issued_at        timestamp with time zone DEFAULT NULL,
    access_token_expires_at       timestamp with time zone DEFAULT NULL,
    access_token_metadata         varchar DEFAULT NULL,
    access_token_type             varchar(100)  DEFAULT NULL,
    access_token_scopes           varchar(1000) DEFAULT NULL,
    oidc_id_token_value           varchar DEFAULT NULL,
    oidc_id_token_issued_at       timestamp with time zone DEFAULT NULL,
    oidc_id_token_expires_at      timestamp with time zone DEFAULT NULL,
    oidc_id_token_metadata        varchar DEFAULT NULL,
    refresh_token_value           varchar DEFAULT NULL,
    refresh_token_issued_at       timestamp with time zone DEFAULT NULL,
    refresh_token_expires_at      timestamp with time zone DEFAULT NULL,
    refresh_token_metadata        varchar DEFAULT NULL,
    user_code_value               varchar DEFAULT NULL,
    user_code_issued_at           timestamp with time zone DEFAULT NULL,
    user_code_expires_at          timestamp with time zone DEFAULT NULL,
    user_code_metadata            varchar DEFAULT NULL,
    device_code_value             varchar DEFAULT NULL,
    device_code_issued_at         timestamp with time zone DEFAULT NULL,
    device_code_expires_at        timestamp with time zone DEFAULT NULL,
    device_code_metadata          varchar DEFAULT NULL,
    PRIMARY KEY (id)
);

CREATE TABLE oauth2_authorization_consent (
    registered_client_id varchar(100)  NOT NULL,
    principal_name       varchar(200)  NOT NULL,
    authorities          varchar(1000) NOT NULL,
    PRIMARY KEY (registered_client_id, principal_name)
);
