-- Issue #9 item 4: verify must recompute every copied query column of audit_events (actor_id,
-- actor_email, action, timestamp, search_vector, …) from `content`, at ≥ 200 000 entries/s. Parsing
-- every content as JSON costs far more than that budget, so the columns are attested instead: each
-- ingest transaction, right after its INSERT and under the chain-head lock, hashes the copied columns
-- of the rows it wrote (audit_columns_hash below, declared once and used by ingest and verify), and
-- stores a note signed with the log key over the digest of those row hashes
-- (lib/audit/attest-columns.ts). The columns were derived from the content by the application in
-- that same transaction, so the signed digest says "these columns are the content's". Verify
-- recomputes the row hashes (one sha256 per row) and compares them with every attestation; rows no
-- attestation covers (written before this migration, or added around ingest) are checked the slow
-- way, by parsing their content.

-- The hash of one row's copied columns: seq, id, timestamp and received_at (epoch milliseconds, no
-- session setting involved), the text columns length-prefixed ("-" for NULL), and SHA-256 of the
-- search vector's binary form.
CREATE OR REPLACE FUNCTION public.audit_columns_hash(
  p_seq bigint, p_id text, p_ts timestamptz, p_received timestamptz, p_actor_id text, p_actor_type text, p_actor_email text,
  p_action text, p_resource_type text, p_resource_id text, p_repository_id text, p_repository_name text, p_search_vector tsvector)
RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.concat_ws(',',
    p_seq, p_id,
    (extract(epoch FROM p_ts) * 1000)::bigint,
    (extract(epoch FROM p_received) * 1000)::bigint,
    coalesce(pg_catalog.length(p_actor_id) || ':' || p_actor_id, '-'),
    coalesce(pg_catalog.length(p_actor_type) || ':' || p_actor_type, '-'),
    coalesce(pg_catalog.length(p_actor_email) || ':' || p_actor_email, '-'),
    coalesce(pg_catalog.length(p_action) || ':' || p_action, '-'),
    coalesce(pg_catalog.length(p_resource_type) || ':' || p_resource_type, '-'),
    coalesce(pg_catalog.length(p_resource_id) || ':' || p_resource_id, '-'),
    coalesce(pg_catalog.length(p_repository_id) || ':' || p_repository_id, '-'),
    coalesce(pg_catalog.length(p_repository_name) || ':' || p_repository_name, '-')), 'UTF8')
    || coalesce(pg_catalog.sha256(pg_catalog.tsvectorsend(p_search_vector)), '\x'::bytea))
$$;

-- Append-only, like the other integrity tables.
CREATE OR REPLACE FUNCTION audit_column_attestations_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_column_attestations is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_column_attestations_no_update_delete
  BEFORE UPDATE OR DELETE ON "audit_column_attestations"
  FOR EACH ROW EXECUTE FUNCTION audit_column_attestations_refuse_change();
ALTER TABLE "audit_column_attestations" ENABLE ALWAYS TRIGGER audit_column_attestations_no_update_delete;
CREATE TRIGGER audit_column_attestations_no_truncate
  BEFORE TRUNCATE ON "audit_column_attestations"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_column_attestations_refuse_change();
ALTER TABLE "audit_column_attestations" ENABLE ALWAYS TRIGGER audit_column_attestations_no_truncate;
