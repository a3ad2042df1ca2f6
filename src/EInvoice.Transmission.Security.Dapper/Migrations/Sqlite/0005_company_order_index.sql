-- EInvoice.Transmission.Security schema, version 5 (SQLite).
-- Nothing to add: SQLite's primary key index already orders company_id by the binary collation the paging query uses.
-- (PostgreSQL gets an index on company_id COLLATE "C" in this version.)

SELECT 1;
