-- EInvoice.Transmission.Security schema, version 1 (PostgreSQL).
-- Secrets are stored only as envelopes (bytea) sealed by CredentialVault; timestamps are Unix milliseconds (UTC).

CREATE TABLE eits_credentials (
    company_id              text    NOT NULL PRIMARY KEY,
    mode                    text    NOT NULL,
    environment             text    NOT NULL,
    client_id               text    NULL,
    client_secret           bytea   NULL,
    token_endpoint          text    NULL,
    api_endpoint            text    NULL,
    scope                   text    NULL,
    api_key                 bytea   NULL,
    asp_endpoint            text    NULL,
    asp_identifier          text    NULL,
    asp_provider_name       text    NULL,
    access_token            bytea   NULL,
    refresh_token           bytea   NULL,
    access_token_expires_at bigint  NULL,
    access_token_refresh_at bigint  NULL,
    is_valid                boolean NULL,
    last_validated_at       bigint  NULL,
    last_test_at            bigint  NULL,
    last_test_succeeded     boolean NULL,
    last_test_error         text    NULL,
    configured_at           bigint  NOT NULL,
    configured_by           text    NOT NULL,
    version                 bigint  NOT NULL,
    row_version             bigint  NOT NULL,
    lease_owner             text    NULL,
    lease_expires_at        bigint  NULL
);

CREATE TABLE eits_audit (
    sequence      bigint NOT NULL PRIMARY KEY,
    occurred_at   bigint NOT NULL,
    company_id    text   NULL,
    action        text   NOT NULL,
    actor         text   NOT NULL,
    outcome       text   NOT NULL,
    fields        text   NOT NULL,
    mfa_method    text   NULL,
    detail        text   NULL,
    previous_hash text   NOT NULL,
    hash          text   NOT NULL
);

CREATE INDEX ix_eits_audit_company ON eits_audit (company_id, sequence);

-- The head of the audit chain: one row, locked and updated in the same transaction as every append.
CREATE TABLE eits_audit_head (
    id       integer NOT NULL PRIMARY KEY CHECK (id = 1),
    sequence bigint  NOT NULL,
    hash     text    NOT NULL
);

INSERT INTO eits_audit_head (id, sequence, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
