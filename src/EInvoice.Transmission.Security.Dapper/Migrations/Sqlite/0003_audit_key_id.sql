-- EInvoice.Transmission.Security schema, version 3 (SQLite).
-- Audit entries are authenticated with HMAC-SHA256 under a key derived from a key-encryption key; key_id names it.
-- Entries written before this version have none: their hashes are plain SHA-256.

ALTER TABLE eits_audit ADD COLUMN key_id TEXT NULL;
