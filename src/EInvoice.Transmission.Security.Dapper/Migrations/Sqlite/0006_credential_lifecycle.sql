-- EInvoice.Transmission.Security schema, version 6 (SQLite).
-- Credential lifecycle (#14): the expiry of each secret (a JSON object of secret name -> Unix milliseconds as text,
-- sealed with the destination by the library), and the claims of expiry reminders: one row per company, credential
-- version, secret and threshold, so that each reminder is claimed by one host at a time and, once delivered, never again
-- (also after a restart, and between hosts sharing this database).

ALTER TABLE eits_credentials ADD COLUMN secret_expiries TEXT NULL;

CREATE TABLE eits_reminders (
    company_id TEXT NOT NULL,
    credential_version INTEGER NOT NULL,
    secret TEXT NOT NULL,
    threshold TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    claimed_by TEXT NOT NULL,
    lease_until INTEGER NOT NULL,
    delivered_at INTEGER NULL,
    PRIMARY KEY (company_id, credential_version, secret, threshold)
);
