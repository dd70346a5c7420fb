-- Issue #9 item 5: the retention purge, closed.
-- The old audit_retention_purge(org, through_seq, cutoff) let any role (EXECUTE was granted to
-- PUBLIC, the function is SECURITY DEFINER) choose the cutoff, resolved unqualified names through
-- the caller's search_path (a temporary table named legal_holds shadowed the real one), and the
-- append-only guard trusted transaction-local settings that any session can set. It is dropped.
-- Now:
--  * no caller-chosen cutoff: the functions read the org's policy (public.retention_policies; no
--    row = the default of lib/retention/retention-schema.ts, 2555 days — a test checks they agree)
--    and the active legal holds themselves, with every name schema-qualified and a fixed
--    search_path (pg_temp last, so no temporary object can shadow anything);
--  * expiry and holds are re-checked on `content` (the hashed record), not only on the copied
--    query columns, so editing a copied column cannot pull an entry out of a hold;
--  * the DELETE guard no longer trusts a session setting: it lets a row through only when
--    public.audit_purge_authorizations holds a row for the current transaction id, written by the
--    purge function (that table has no privileges for PUBLIC: only its owner can write it);
--  * EXECUTE is revoked from PUBLIC; the owner (the role that runs the migrations, which is the
--    role the app connects as) keeps it. If the app connects as another role, grant it:
--    GRANT EXECUTE ON FUNCTION public.audit_retention_plan(text), public.audit_retention_purge(text, text) TO <role>;
--  * the cut row carries a signed note (lib/retention/enforce-retention.ts signs it with the log
--    key, which never lives in the database); the function refuses a note that does not name the
--    cut it makes. Verify treats a cut without a valid signed note as a problem.

DROP FUNCTION IF EXISTS audit_retention_purge(text, bigint, timestamptz);

REVOKE ALL ON TABLE public.audit_purge_authorizations FROM PUBLIC;

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

-- What retention may remove now for one org, computed from the policy and the holds only. Locks the
-- chain head (FOR UPDATE) until the end of the transaction, so the answer stays true until commit.
-- through_seq: the cut would remove entries 1..through_seq (≤ last_cut: nothing to do).
CREATE OR REPLACE FUNCTION public.audit_retention_plan(p_org text)
RETURNS TABLE (head_seq bigint, last_cut bigint, through_seq bigint, cut_hash text, cutoff timestamptz,
               retention_days integer, stopped_by text, held_from_seq bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
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

-- The one path that removes audit events. Re-plans (under the chain-head lock), refuses a note that
-- does not name the cut it is about to make (a line "cut <through_seq> <cut_hash>"), authorises the
-- DELETE for this transaction only, deletes 1..through_seq, withdraws the authorisation and records
-- the cut with its note. Returns the plan and the number of rows removed (0: nothing to do).
CREATE OR REPLACE FUNCTION public.audit_retention_purge(p_org text, p_cut_note text)
RETURNS TABLE (head_seq bigint, last_cut bigint, through_seq bigint, cut_hash text, cutoff timestamptz,
               retention_days integer, stopped_by text, held_from_seq bigint, removed bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
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
  DELETE FROM public.audit_events e WHERE e.org_id = p_org AND e.seq <= through_seq;
  GET DIAGNOSTICS removed = ROW_COUNT;
  DELETE FROM public.audit_purge_authorizations a WHERE a.xact_id = v_xact AND a.org_id = p_org;
  INSERT INTO public.audit_chain_cuts (org_id, cut_seq, cut_hash, removed_count, cutoff, note, created_at)
  VALUES (p_org, through_seq, cut_hash, removed, cutoff, p_cut_note, pg_catalog.now());
  RETURN NEXT;
END;
$$;

REVOKE ALL ON FUNCTION public.audit_retention_plan(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION public.audit_retention_purge(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.audit_retention_plan(text) TO CURRENT_USER;
GRANT EXECUTE ON FUNCTION public.audit_retention_purge(text, text) TO CURRENT_USER;
