-- EInvoice.Transmission.Security schema, version 4 (PostgreSQL).
-- A credential has a kind that owns its fields: the fixed columns of versions 1-3 become the kind, a JSON object of
-- plain settings and a JSON object of secret envelopes (lowercase hexadecimal), moved as they are: no secret is opened,
-- and each envelope keeps the field name bound into it (dctce.client_secret, asp.api_key). The modes become kinds
-- (DirectDctce -> oauth_client_credentials, AspProvider -> api_key, Sandbox -> none); each kind keeps the plain
-- fields its mode used (LegacyCredentialShape in the library reads the destination seals of versions 1-3 the same way),
-- and every secret is kept. Tokens, seals, validation results and leases stay in their columns.

ALTER TABLE eits_credentials
    ADD COLUMN kind text NULL,
    ADD COLUMN settings text NULL,
    ADD COLUMN secrets text NULL;

UPDATE eits_credentials SET
    kind = CASE mode
        WHEN 'DirectDctce' THEN 'oauth_client_credentials'
        WHEN 'AspProvider' THEN 'api_key'
        WHEN 'Sandbox' THEN 'none'
        ELSE mode END,
    settings = jsonb_strip_nulls(CASE mode
        WHEN 'DirectDctce' THEN jsonb_build_object('client_id', client_id, 'token_endpoint', token_endpoint, 'api_endpoint', api_endpoint, 'scope', scope)
        WHEN 'AspProvider' THEN jsonb_build_object('api_endpoint', asp_endpoint, 'identifier', asp_identifier, 'provider_name', asp_provider_name)
        ELSE jsonb_build_object('api_endpoint', api_endpoint) END)::text,
    secrets = jsonb_strip_nulls(jsonb_build_object(
        'client_secret', encode(client_secret, 'hex'),
        'api_key', encode(api_key, 'hex')))::text;

ALTER TABLE eits_credentials
    ALTER COLUMN kind SET NOT NULL,
    ALTER COLUMN settings SET NOT NULL,
    ALTER COLUMN secrets SET NOT NULL,
    DROP COLUMN mode,
    DROP COLUMN client_id,
    DROP COLUMN client_secret,
    DROP COLUMN token_endpoint,
    DROP COLUMN api_endpoint,
    DROP COLUMN scope,
    DROP COLUMN api_key,
    DROP COLUMN asp_endpoint,
    DROP COLUMN asp_identifier,
    DROP COLUMN asp_provider_name;
