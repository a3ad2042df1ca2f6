-- EInvoice.Transmission.Security schema, version 1 (SQLite).
-- Secrets are stored only as envelopes (BLOB) sealed by CredentialVault; timestamps are Unix milliseconds (UTC).

CREATE TABLE eits_credentials (
    company_id              TEXT    NOT NULL PRIMARY KEY,
    mode                    TEXT    NOT NULL,
    environment             TEXT    NOT NULL,
    client_id               TEXT    NULL,
    client_secret           BLOB    NULL,
    token_endpoint          TEXT    NULL,
    api_endpoint            TEXT    NULL,
    scope                   TEXT    NULL,
    api_key                 BLOB    NULL,
    asp_endpoint            TEXT    NULL,
    asp_identifier          TEXT    NULL,
    asp_provider_name       TEXT    NULL,
    access_token            BLOB    NULL,
    refresh_token           BLOB    NULL,
    access_token_expires_at INTEGER NULL,
    access_token_refresh_at INTEGER NULL,
    is_valid                INTEGER NULL,
    last_validated_at       INTEGER NULL,
    last_test_at            INTEGER NULL,
    last_test_succeeded     INTEGER NULL,
    last_test_error         TEXT    NULL,
    configured_at           INTEGER NOT NULL,
    configured_by           TEXT    NOT NULL,
    version                 INTEGER NOT NULL,
    row_version             INTEGER NOT NULL,
    lease_owner             TEXT    NULL,
    lease_expires_at        INTEGER NULL
);

CREATE TABLE eits_audit (
    sequence      INTEGER NOT NULL PRIMARY KEY,
    occurred_at   INTEGER NOT NULL,
    company_id    TEXT    NULL,
    action        TEXT    NOT NULL,
    actor         TEXT    NOT NULL,
    outcome       TEXT    NOT NULL,
    fields        TEXT    NOT NULL,
    mfa_method    TEXT    NULL,
    detail        TEXT    NULL,
    previous_hash TEXT    NOT NULL,
    hash          TEXT    NOT NULL
);

CREATE INDEX ix_eits_audit_company ON eits_audit (company_id, sequence);

-- The head of the audit chain: one row, updated in the same transaction as every append.
CREATE TABLE eits_audit_head (
    id       INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    sequence INTEGER NOT NULL,
    hash     TEXT    NOT NULL
);

INSERT INTO eits_audit_head (id, sequence, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
