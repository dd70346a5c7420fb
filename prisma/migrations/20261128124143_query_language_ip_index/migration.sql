-- This is an empty migration.

-- Custom SQL appended from prisma/steps/query_language_indexes.sql (not expressible in schema.prisma)
-- Issue 12: `ip:` in the query language — an address or a CIDR block (ip:10.0.0.0/8) — through an
-- index: the entry's address as inet, an expression on the content (no copied column, nothing to
-- backfill or attest: the content is hashed). Ingest validates ip_address as an IPv4/IPv6 address, so
-- the cast holds for every stored row; `<<=` (inside a block) is a range condition on this btree.
-- The expression is the registry's (lib/audit/event-fields.ts ip_address.indexedExpression).
CREATE INDEX IF NOT EXISTS "audit_events_ip_inet_idx" ON "audit_events" ("org_id", ((content::jsonb ->> 'ip_address')::inet));
