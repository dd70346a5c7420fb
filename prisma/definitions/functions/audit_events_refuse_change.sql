-- The guard: UPDATE and TRUNCATE always refused; DELETE only for rows the purge function has
-- authorised for this very transaction.
CREATE OR REPLACE FUNCTION public.audit_events_refuse_change() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND EXISTS (
    SELECT 1 FROM public.audit_purge_authorizations a
    WHERE a.xact_id = pg_catalog.pg_current_xact_id()::text::bigint AND a.org_id = OLD.org_id AND OLD.seq <= a.through_seq
  ) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege', HINT = 'Audit events can only be inserted; retention removes them through audit_retention_purge().';
END;
$$ LANGUAGE plpgsql;
