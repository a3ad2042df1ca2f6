-- EInvoice.Transmission.Security schema, version 5 (PostgreSQL).
-- Key rotation and listing page through companies in binary order (company_id COLLATE "C" > @after ORDER BY the same),
-- so that paging agrees with .NET's ordinal order whatever the database's collation. The primary key's index uses the
-- database's default collation and cannot serve that order: without this index every page scanned and sorted the
-- whole table (quadratic over a rotation).

CREATE INDEX ix_eits_credentials_company_id_c ON eits_credentials (company_id COLLATE "C");
