-- The one path that removes audit events. Re-plans (under the chain-head lock), refuses a note that
-- does not name the cut it is about to make (a line "cut <through_seq> <cut_hash>"), authorises the
-- DELETE for this transaction only, deletes 1..through_seq, withdraws the authorisation and records
-- the cut with its note. The analytics side tables lose the removed entries first
-- (audit_analytics_remove). Returns the plan and the number of rows removed (0: nothing to do).
CREATE OR REPLACE FUNCTION public.audit_retention_purge(p_org text, p_cut_note text)
RETURNS TABLE (head_seq bigint, last_cut bigint, through_seq bigint, cut_hash text, cutoff timestamptz,
               retention_days integer, stopped_by text, held_from_seq bigint, removed bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
SET plan_cache_mode = force_custom_plan
SET "TimeZone" = 'UTC'
AS $$
DECLARE
  v_xact bigint;
BEGIN
  SELECT p.head_seq, p.last_cut, p.through_seq, p.cut_hash, p.cutoff, p.retention_days, p.stopped_by, p.held_from_seq
    INTO head_seq, last_cut, through_seq, cut_hash, cutoff, retention_days, stopped_by, held_from_seq
  FROM public.audit_retention_plan(p_org) p;
  removed := 0;
  IF through_seq <= last_cut THEN
    RETURN NEXT;
    RETURN;
  END IF;
  IF p_cut_note IS NULL OR pg_catalog.strpos(p_cut_note, E'\ncut ' || through_seq::text || ' ' || cut_hash || E'\n') = 0 THEN
    RAISE EXCEPTION 'retention purge: the cut note does not name cut % (%)', through_seq, cut_hash USING ERRCODE = 'invalid_parameter_value';
  END IF;
  v_xact := pg_catalog.pg_current_xact_id()::text::bigint;
  INSERT INTO public.audit_purge_authorizations (xact_id, org_id, through_seq) VALUES (v_xact, p_org, through_seq);
  PERFORM public.audit_analytics_remove(p_org, through_seq);
  DELETE FROM public.audit_events e WHERE e.org_id = p_org AND e.seq <= through_seq;
  GET DIAGNOSTICS removed = ROW_COUNT;
  DELETE FROM public.audit_purge_authorizations a WHERE a.xact_id = v_xact AND a.org_id = p_org;
  INSERT INTO public.audit_chain_cuts (org_id, cut_seq, cut_hash, removed_count, cutoff, note, created_at)
  VALUES (p_org, through_seq, cut_hash, removed, cutoff, p_cut_note, pg_catalog.now());
  RETURN NEXT;
END;
$$;
REVOKE ALL ON FUNCTION public.audit_retention_purge(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.audit_retention_purge(text, text) TO CURRENT_USER;
