-- EInvoice.Transmission.Security schema, version 7 (PostgreSQL).
-- Two live secrets (#14): the field name of the secret that obtained the cached access token when it is not the
-- kind's usual one (client_secret_secondary after the primary was refused), written with the token.

ALTER TABLE eits_credentials ADD COLUMN serving_secret text NULL;

-- And when the cached refresh token expires, when the platform reported its lifetime (Unix milliseconds).
ALTER TABLE eits_credentials ADD COLUMN refresh_token_expires_at bigint NULL;
