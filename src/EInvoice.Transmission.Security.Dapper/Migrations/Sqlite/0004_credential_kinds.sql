-- EInvoice.Transmission.Security schema, version 4 (SQLite).
-- A credential has a kind that owns its fields: the fixed columns of versions 1-3 become the kind, a JSON object of
-- plain settings and a JSON object of secret envelopes (lowercase hexadecimal), moved as they are: no secret is opened,
-- and each envelope keeps the field name bound into it (dctce.client_secret, asp.api_key). The modes become kinds
-- (DirectDctce -> oauth_client_credentials, AspProvider -> api_key, Sandbox -> none); each kind keeps the plain
-- fields its mode used (LegacyCredentialShape in the library reads the destination seals of versions 1-3 the same way),
-- and every secret is kept. Tokens, seals, validation results and leases stay in their columns.

ALTER TABLE eits_credentials ADD COLUMN kind TEXT NULL;
ALTER TABLE eits_credentials ADD COLUMN settings TEXT NULL;
ALTER TABLE eits_credentials ADD COLUMN secrets TEXT NULL;

UPDATE eits_credentials SET
    kind = CASE mode
        WHEN 'DirectDctce' THEN 'oauth_client_credentials'
        WHEN 'AspProvider' THEN 'api_key'
        WHEN 'Sandbox' THEN 'none'
        ELSE mode END,
    settings = (
        SELECT json_group_object(key, value) FROM json_each(
            CASE mode
                WHEN 'DirectDctce' THEN json_object('client_id', client_id, 'token_endpoint', token_endpoint, 'api_endpoint', api_endpoint, 'scope', scope)
                WHEN 'AspProvider' THEN json_object('api_endpoint', asp_endpoint, 'identifier', asp_identifier, 'provider_name', asp_provider_name)
                ELSE json_object('api_endpoint', api_endpoint) END)
        WHERE type <> 'null'),
    secrets = (
        SELECT json_group_object(key, value) FROM json_each(json_object(
            'client_secret', CASE WHEN client_secret IS NULL THEN NULL ELSE lower(hex(client_secret)) END,
            'api_key', CASE WHEN api_key IS NULL THEN NULL ELSE lower(hex(api_key)) END))
        WHERE type <> 'null');

ALTER TABLE eits_credentials DROP COLUMN mode;
ALTER TABLE eits_credentials DROP COLUMN client_id;
ALTER TABLE eits_credentials DROP COLUMN client_secret;
ALTER TABLE eits_credentials DROP COLUMN token_endpoint;
ALTER TABLE eits_credentials DROP COLUMN api_endpoint;
ALTER TABLE eits_credentials DROP COLUMN scope;
ALTER TABLE eits_credentials DROP COLUMN api_key;
ALTER TABLE eits_credentials DROP COLUMN asp_endpoint;
ALTER TABLE eits_credentials DROP COLUMN asp_identifier;
ALTER TABLE eits_credentials DROP COLUMN asp_provider_name;
