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
