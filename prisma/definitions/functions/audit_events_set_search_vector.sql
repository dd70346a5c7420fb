-- The full-text vector of an inserted row, when the writer did not supply it (BEFORE INSERT, per row:
-- no transition table, so Citus runs it on the shards). Ingest computes audit_search_vector(content)
-- for a batch before it takes the org's chain-head lock and inserts it with the rows (issue 11), so the
-- lock is not held while the text is parsed; COPY and bulk loads leave it NULL and get it here.
-- Verify checks the stored vector against audit_search_vector(content) (lib/audit/verify-chain.ts).
CREATE OR REPLACE FUNCTION public.audit_events_set_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.search_vector IS NULL THEN
    NEW.search_vector := public.audit_search_vector(NEW.content);
  END IF;
  RETURN NEW;
END;
$$;
