-- What retention may remove now for one org, computed from the policy and the holds only. Locks the
-- chain head (FOR UPDATE) until the end of the transaction, so the answer stays true until commit.
-- through_seq: the cut would remove entries 1..through_seq (≤ last_cut: nothing to do).
CREATE OR REPLACE FUNCTION public.audit_retention_plan(p_org text)
RETURNS TABLE (head_seq bigint, last_cut bigint, through_seq bigint, cut_hash text, cutoff timestamptz,
               retention_days integer, stopped_by text, held_from_seq bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
SET plan_cache_mode = force_custom_plan
SET "TimeZone" = 'UTC'
AS $$
DECLARE
  v_limit bigint;
  v_unexpired bigint;
  v_held bigint;
  v_candidate bigint;
  v_late bigint;
  v_late_held bigint;
BEGIN
  SELECT h.seq INTO head_seq FROM public.audit_chain_heads h WHERE h.org_id = p_org FOR UPDATE;
  head_seq := coalesce(head_seq, 0);
  SELECT coalesce(max(c.cut_seq), 0) INTO last_cut FROM public.audit_chain_cuts c WHERE c.org_id = p_org;
  SELECT p.audit_logs_retention_days INTO retention_days FROM public.retention_policies p WHERE p.org_id = p_org;
  retention_days := coalesce(retention_days, 2555);
  IF retention_days < 30 THEN
    RAISE EXCEPTION 'retention purge: org % has retention_days % (< 30): refused', p_org, retention_days USING ERRCODE = 'check_violation';
  END IF;
  -- Whole days of 86 400 s, independent of any time zone (as lib/retention computes it).
  cutoff := pg_catalog.now() - pg_catalog.make_interval(secs => retention_days * 86400.0);
  v_limit := head_seq + 1;

  -- From the indexed copies first (cheap) ...
  SELECT min(e.seq) INTO v_unexpired FROM public.audit_events e WHERE e.org_id = p_org AND e."timestamp" >= cutoff;
  SELECT min(x.first_seq) INTO v_held FROM (
    SELECT CASE
      WHEN h.scope = 'all' THEN (SELECT min(e.seq) FROM public.audit_events e WHERE e.org_id = p_org)
      WHEN h.scope = 'repository' THEN (SELECT min(e.seq) FROM public.audit_events e WHERE e.org_id = p_org AND e.repository_id = h.target)
      WHEN h.scope = 'actor' THEN (SELECT min(e.seq) FROM public.audit_events e WHERE e.org_id = p_org AND (e.actor_id = h.target OR e.actor_email = h.target))
      ELSE (SELECT min(e.seq) FROM public.audit_events e WHERE e.org_id = p_org)  -- an unknown scope holds everything
    END AS first_seq
    FROM public.legal_holds h WHERE h.org_id = p_org AND h.released_at IS NULL) x;
  held_from_seq := v_held;
  v_candidate := LEAST(coalesce(v_unexpired, v_limit), coalesce(v_held, v_limit), v_limit) - 1;

  -- ... then on the hashed content of the entries that would go: a copied column that disagrees
  -- with the content never lets an unexpired or held entry be removed.
  IF v_candidate > last_cut THEN
    SELECT min(e.seq) FILTER (WHERE (e.content::jsonb ->> 'timestamp')::timestamptz >= cutoff),
           min(e.seq) FILTER (WHERE EXISTS (
             SELECT 1 FROM public.legal_holds h
             WHERE h.org_id = p_org AND h.released_at IS NULL
               AND (h.scope NOT IN ('repository', 'actor')
                 OR (h.scope = 'repository' AND e.content::jsonb #>> '{repository,id}' = h.target)
                 OR (h.scope = 'actor' AND (e.content::jsonb #>> '{actor,id}' = h.target OR e.content::jsonb #>> '{actor,email}' = h.target)))))
      INTO v_late, v_late_held
    FROM public.audit_events e
    WHERE e.org_id = p_org AND e.seq > last_cut AND e.seq <= v_candidate;
    IF v_late_held IS NOT NULL THEN
      held_from_seq := LEAST(coalesce(held_from_seq, v_late_held), v_late_held);
    END IF;
    v_candidate := LEAST(v_candidate, coalesce(v_late, v_limit) - 1, coalesce(v_late_held, v_limit) - 1);
  END IF;

  through_seq := v_candidate;
  IF v_candidate + 1 >= v_limit THEN
    stopped_by := 'chain_end';
  ELSIF v_candidate + 1 = coalesce(held_from_seq, -1) THEN
    stopped_by := 'legal_hold';
  ELSE
    stopped_by := 'unexpired_entry';
  END IF;
  IF through_seq > last_cut THEN
    SELECT e.hash INTO cut_hash FROM public.audit_events e WHERE e.org_id = p_org AND e.seq = through_seq;
    IF cut_hash IS NULL THEN
      RAISE EXCEPTION 'retention purge: entry % of org % does not exist (the chain has a gap)', through_seq, p_org USING ERRCODE = 'data_corrupted';
    END IF;
  END IF;
  RETURN NEXT;
END;
$$;
REVOKE ALL ON FUNCTION public.audit_retention_plan(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.audit_retention_plan(text) TO CURRENT_USER;
