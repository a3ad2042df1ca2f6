-- EInvoice.Transmission.Security schema, version 3 (SQLite).
-- Audit entries are authenticated: mac is the HMAC-SHA256 of the entry hash under a key derived from the key-encryption key key_id.
-- Entries written before this version have neither.

ALTER TABLE eits_audit ADD COLUMN key_id TEXT NULL;
ALTER TABLE eits_audit ADD COLUMN mac TEXT NULL;
