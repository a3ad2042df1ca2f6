-- EInvoice.Transmission.Security schema, version 6 (PostgreSQL).
-- Credential lifecycle (#14): the expiry of each secret (a JSON object of secret name -> Unix milliseconds as text,
-- sealed with the destination by the library), and the claims of expiry reminders: one row per company, credential
-- version, secret and threshold, so that each reminder is claimed by one host at a time and, once delivered, never again
-- (also after a restart, and between hosts sharing this database).

ALTER TABLE eits_credentials ADD COLUMN secret_expiries text NULL;

CREATE TABLE eits_reminders (
    company_id text NOT NULL,
    credential_version bigint NOT NULL,
    secret text NOT NULL,
    threshold text NOT NULL,
    expires_at bigint NOT NULL,
    claimed_by text NOT NULL,
    lease_until bigint NOT NULL,
    delivered_at bigint NULL,
    PRIMARY KEY (company_id, credential_version, secret, threshold)
);
