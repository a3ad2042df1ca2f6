-- EInvoice.Transmission.Security schema, version 2 (SQLite).
-- The envelope sealing each row's destination (mode, environment, endpoints, client id, scope, ASP identity).
-- Rows written before this version have none, and their secrets are not used until they are saved again.

ALTER TABLE eits_credentials ADD COLUMN destination_seal BLOB NULL;
