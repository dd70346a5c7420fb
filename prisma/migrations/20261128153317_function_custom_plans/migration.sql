-- This is an empty migration.

-- Custom SQL appended from prisma/definitions/functions/audit_analytics_add.sql (not expressible in schema.prisma)
-- Issue 11: the analytics side tables of the entries p_from_seq..p_to_seq of one org, just inserted:
-- daily and monthly rollups (statistics), scan scores (compliance history) and issue events with
-- their open-count deltas (open-issues history). Every path that inserts audit events calls it in
-- the same transaction, after the INSERT: ingest (lib/audit/append-events.ts, under the chain-head
-- lock) and bulk loads (COPY or INSERT … SELECT: tests/support/bulk-events.ts, benches). It replaces
-- the statement triggers with transition tables, which Citus cannot run. Per org and set-based: on
-- Citus every statement here reads and writes one org's co-located shards. The content is parsed
-- only where a column does not hold the value: the actor's name for actors without an email, and
-- details of scan.completed / issue.* entries.
-- actor key = email, else name, else id (what statistics' top_actors reports).
-- plan_cache_mode = force_custom_plan (as on every function here that queries one org's range):
-- PL/pgSQL caches a generic plan after five calls on a connection and keeps it until the table's
-- statistics change; without autovacuum (PGlite, this machine) that plan was made when the table
-- was small, and ingest's call grew from 17 ms to over 5 s (the statement budget) by 45 000 events.
CREATE OR REPLACE FUNCTION public.audit_analytics_add(p_org text, p_from_seq bigint, p_to_seq bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public SET plan_cache_mode = force_custom_plan AS $$
DECLARE
  v_issues text[];
BEGIN
  INSERT INTO public.audit_daily_rollups AS r (org_id, day, action, repository_name, actor_type, actor_key, event_count)
  SELECT e.org_id, (e."timestamp" AT TIME ZONE 'UTC')::date, e.action, coalesce(e.repository_name, ''), e.actor_type,
         coalesce(e.actor_email, e.content::jsonb #>> '{actor,name}', e.actor_id), count(*)
  FROM public.audit_events e
  WHERE e.org_id = p_org AND e.seq BETWEEN p_from_seq AND p_to_seq
  GROUP BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (org_id, day, action, repository_name, actor_type, actor_key)
  DO UPDATE SET event_count = r.event_count + EXCLUDED.event_count;

  INSERT INTO public.audit_monthly_rollups AS r (org_id, month, action, repository_name, actor_type, actor_key, event_count)
  SELECT e.org_id, date_trunc('month', e."timestamp" AT TIME ZONE 'UTC')::date, e.action, coalesce(e.repository_name, ''), e.actor_type,
         coalesce(e.actor_email, e.content::jsonb #>> '{actor,name}', e.actor_id), count(*)
  FROM public.audit_events e
  WHERE e.org_id = p_org AND e.seq BETWEEN p_from_seq AND p_to_seq
  GROUP BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (org_id, month, action, repository_name, actor_type, actor_key)
  DO UPDATE SET event_count = r.event_count + EXCLUDED.event_count;

  INSERT INTO public.audit_scan_scores (org_id, seq, "timestamp", repository_id, framework, score)
  SELECT s.org_id, s.seq, s."timestamp", coalesce(s.repository_id, ''), s.c #>> '{details,framework}', (s.c #>> '{details,score}')::float8
  FROM (SELECT e.org_id, e.seq, e."timestamp", e.repository_id, e.content::jsonb AS c
        FROM public.audit_events e
        WHERE e.org_id = p_org AND e.seq BETWEEN p_from_seq AND p_to_seq AND e.action = 'scan.completed') s
  WHERE jsonb_typeof(s.c #> '{details,score}') = 'number';

  -- Issue events, each with its effect on the open count (delta) against the issue's events before it
  -- (stored ones and this batch's, by timestamp then seq). Only when a stored event of the issue is
  -- LATER than a new one (events arriving out of time order) do stored deltas change: those issues
  -- are recomputed whole.
  INSERT INTO public.audit_issue_events (org_id, seq, resource_id, "timestamp", opened, repository_id, framework, delta)
  SELECT w.org_id, w.seq, w.resource_id, w."timestamp", w.opened, w.repository_id, w.framework,
         (CASE WHEN w.opened AND NOT w.was THEN 1 WHEN w.was AND NOT w.opened THEN -1 ELSE 0 END)::smallint
  FROM (
    SELECT a.*, coalesce(lag(a.opened) OVER (PARTITION BY a.resource_id ORDER BY a."timestamp", a.seq), false) AS was
    FROM (
      SELECT e.org_id, e.seq, e.resource_id, e."timestamp", e.action = 'issue.created' AS opened, e.repository_id,
             e.content::jsonb #>> '{details,framework}' AS framework, true AS added
      FROM public.audit_events e
      WHERE e.org_id = p_org AND e.seq BETWEEN p_from_seq AND p_to_seq AND e.action IN ('issue.created', 'issue.resolved')
      UNION ALL
      SELECT i.org_id, i.seq, i.resource_id, i."timestamp", i.opened, i.repository_id, i.framework, false
      FROM public.audit_issue_events i
      WHERE i.org_id = p_org AND i.seq < p_from_seq AND i.resource_id IN (
        SELECT e.resource_id FROM public.audit_events e
        WHERE e.org_id = p_org AND e.seq BETWEEN p_from_seq AND p_to_seq AND e.action IN ('issue.created', 'issue.resolved'))
    ) a
  ) w
  WHERE w.added;

  SELECT array_agg(DISTINCT i.resource_id) INTO v_issues
  FROM public.audit_issue_events i
  JOIN public.audit_issue_events n ON n.org_id = i.org_id AND n.resource_id = i.resource_id
  WHERE i.org_id = p_org AND n.org_id = p_org AND n.seq BETWEEN p_from_seq AND p_to_seq AND i.seq < p_from_seq
    AND i."timestamp" > n."timestamp";
  PERFORM public.audit_issue_deltas_recompute(p_org, v_issues);
END;
$$;

-- Custom SQL appended from prisma/definitions/functions/audit_analytics_remove.sql (not expressible in schema.prisma)
-- Issue 11: the analytics side tables without the entries 1..p_through_seq of one org, which are
-- about to be deleted: the retention purge (audit_retention_purge) calls it in its transaction right
-- before its DELETE. Rollups lose those entries' counts (rows that reach 0 go), scan scores and issue
-- events their rows, and the touched issues' open-count deltas are recomputed. Per org, set-based
-- (replaces the statement trigger with a transition table, which Citus cannot run).
CREATE OR REPLACE FUNCTION public.audit_analytics_remove(p_org text, p_through_seq bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public SET plan_cache_mode = force_custom_plan AS $$
DECLARE
  v_issues text[];
BEGIN
  UPDATE public.audit_daily_rollups r SET event_count = r.event_count - d.n
  FROM (
    SELECT e.org_id, (e."timestamp" AT TIME ZONE 'UTC')::date AS day, e.action, coalesce(e.repository_name, '') AS repository_name, e.actor_type,
           coalesce(e.actor_email, e.content::jsonb #>> '{actor,name}', e.actor_id) AS actor_key, count(*) AS n
    FROM public.audit_events e
    WHERE e.org_id = p_org AND e.seq <= p_through_seq
    GROUP BY 1, 2, 3, 4, 5, 6
  ) d
  WHERE r.org_id = p_org AND r.org_id = d.org_id AND r.day = d.day AND r.action = d.action AND r.repository_name = d.repository_name
    AND r.actor_type = d.actor_type AND r.actor_key = d.actor_key;
  DELETE FROM public.audit_daily_rollups r WHERE r.org_id = p_org AND r.event_count <= 0;

  UPDATE public.audit_monthly_rollups r SET event_count = r.event_count - d.n
  FROM (
    SELECT e.org_id, date_trunc('month', e."timestamp" AT TIME ZONE 'UTC')::date AS month, e.action, coalesce(e.repository_name, '') AS repository_name,
           e.actor_type, coalesce(e.actor_email, e.content::jsonb #>> '{actor,name}', e.actor_id) AS actor_key, count(*) AS n
    FROM public.audit_events e
    WHERE e.org_id = p_org AND e.seq <= p_through_seq
    GROUP BY 1, 2, 3, 4, 5, 6
  ) d
  WHERE r.org_id = p_org AND r.org_id = d.org_id AND r.month = d.month AND r.action = d.action AND r.repository_name = d.repository_name
    AND r.actor_type = d.actor_type AND r.actor_key = d.actor_key;
  DELETE FROM public.audit_monthly_rollups r WHERE r.org_id = p_org AND r.event_count <= 0;

  DELETE FROM public.audit_scan_scores s WHERE s.org_id = p_org AND s.seq <= p_through_seq;
  SELECT array_agg(DISTINCT i.resource_id) INTO v_issues FROM public.audit_issue_events i WHERE i.org_id = p_org AND i.seq <= p_through_seq;
  DELETE FROM public.audit_issue_events i WHERE i.org_id = p_org AND i.seq <= p_through_seq;
  PERFORM public.audit_issue_deltas_recompute(p_org, v_issues);
END;
$$;

-- Custom SQL appended from prisma/definitions/functions/audit_issue_deltas_recompute.sql (not expressible in schema.prisma)
-- Each issue event's effect on the open-issue count is kept in audit_issue_events.delta (+1 opens,
-- -1 resolves, 0 nothing). This recomputes it over the whole sequence of every issue in p_issues of
-- one org (so out-of-order timestamps are handled), after audit_analytics_add / _remove changed
-- them. The open-issues history then sums deltas instead of running a window. Per org (Citus: one
-- org's shard).
CREATE OR REPLACE FUNCTION public.audit_issue_deltas_recompute(p_org text, p_issues text[]) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public SET plan_cache_mode = force_custom_plan AS $$
BEGIN
  IF coalesce(array_length(p_issues, 1), 0) = 0 THEN
    RETURN;
  END IF;
  UPDATE public.audit_issue_events i SET delta = x.d
  FROM (
    SELECT w.seq, (CASE WHEN w.opened AND NOT w.was THEN 1 WHEN w.was AND NOT w.opened THEN -1 ELSE 0 END)::smallint AS d
    FROM (
      SELECT e.seq, e.opened,
             coalesce(lag(e.opened) OVER (PARTITION BY e.resource_id ORDER BY e."timestamp", e.seq), false) AS was
      FROM public.audit_issue_events e
      WHERE e.org_id = p_org AND e.resource_id = ANY (p_issues)
    ) w
  ) x
  WHERE i.org_id = p_org AND i.seq = x.seq AND i.delta IS DISTINCT FROM x.d;
END;
$$;

-- Custom SQL appended from prisma/definitions/functions/audit_merkle_backfill.sql (not expressible in schema.prisma)
-- One-time build of the tree for a chain that existed before this migration: every entry 1..seq in
-- order. Entries a retention cut had already removed cannot be hashed any more: their leaves are the
-- hash of empty content, and the compact range over them is stored so that proofs for the remaining
-- entries never need them (docs/integrity.md, "Chains older than the tree").
CREATE OR REPLACE FUNCTION audit_merkle_backfill(p_org text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public SET plan_cache_mode = force_custom_plan AS $$
DECLARE
  v_head bigint;
  v_first bigint;
  v_size bigint := 0;
  v_frontier bytea[] := '{}';
  v_n integer;
  v_h bytea;
  v_level integer;
  v_offset bigint;
  v_packed bytea := ''::bytea;
  r record;
BEGIN
  SELECT seq INTO v_head FROM audit_chain_heads WHERE org_id = p_org AND tree_size = 0 FOR UPDATE;
  IF NOT FOUND OR v_head = 0 THEN
    RETURN;
  END IF;
  SELECT coalesce(min(seq), v_head + 1) INTO v_first FROM audit_events WHERE org_id = p_org;
  FOR r IN
    SELECT s.seq, e.content FROM generate_series(1, v_head) AS s(seq)
      LEFT JOIN audit_events e ON e.org_id = p_org AND e.seq = s.seq
      ORDER BY s.seq
  LOOP
    IF v_size = v_first - 1 AND v_size > 0 THEN
      -- the removed prefix [0, v_size): keep its compact range (the frontier right now)
      v_offset := 0;
      v_n := 1;
      FOR v_level IN REVERSE 62..0 LOOP
        IF (v_size >> v_level) & 1 = 1 THEN
          INSERT INTO audit_merkle_nodes (org_id, level, idx, hash) VALUES (p_org, v_level, v_offset >> v_level, v_frontier[v_n])
            ON CONFLICT DO NOTHING;
          v_offset := v_offset + (1::bigint << v_level);
          v_n := v_n + 1;
        END IF;
      END LOOP;
    END IF;
    v_h := sha256('\x00'::bytea || convert_to(coalesce(r.content, ''), 'UTF8'));
    v_level := 0;
    WHILE (v_size >> v_level) & 1 = 1 LOOP
      v_n := array_length(v_frontier, 1);
      v_h := sha256('\x01'::bytea || v_frontier[v_n] || v_h);
      v_frontier := v_frontier[1:v_n - 1];
      v_level := v_level + 1;
      IF v_level % 4 = 0 THEN
        INSERT INTO audit_merkle_nodes (org_id, level, idx, hash) VALUES (p_org, v_level, v_size >> v_level, v_h);
      END IF;
    END LOOP;
    v_frontier := v_frontier || v_h;
    v_size := v_size + 1;
  END LOOP;
  FOR v_n IN 1..coalesce(array_length(v_frontier, 1), 0) LOOP
    v_packed := v_packed || v_frontier[v_n];
  END LOOP;
  UPDATE audit_chain_heads SET tree_size = v_size, frontier = v_packed WHERE org_id = p_org;
END;
$$;

-- Custom SQL appended from prisma/definitions/functions/audit_merkle_store_prefix.sql (not expressible in schema.prisma)
-- Stores the perfect subtrees that make up [0, p_size) (the compact range, all levels).
CREATE OR REPLACE FUNCTION audit_merkle_store_prefix(p_org text, p_size bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public SET plan_cache_mode = force_custom_plan AS $$
DECLARE
  v_offset bigint := 0;
  v_level integer;
  v_hash bytea;
BEGIN
  FOR v_level IN REVERSE 62..0 LOOP
    IF (p_size >> v_level) & 1 = 1 THEN
      v_hash := audit_merkle_subtree_hash(p_org, v_level, v_offset >> v_level);
      IF v_hash IS NULL THEN
        RAISE EXCEPTION 'audit_merkle_store_prefix: leaves of [%, %) are missing for org %', v_offset, v_offset + (1::bigint << v_level), p_org;
      END IF;
      INSERT INTO audit_merkle_nodes (org_id, level, idx, hash) VALUES (p_org, v_level, v_offset >> v_level, v_hash)
        ON CONFLICT DO NOTHING;
      v_offset := v_offset + (1::bigint << v_level);
    END IF;
  END LOOP;
END;
$$;

-- Custom SQL appended from prisma/definitions/functions/audit_merkle_subtree_hash.sql (not expressible in schema.prisma)
-- MTH of the perfect subtree (p_level, p_idx) — leaves [p_idx·2^p_level, (p_idx+1)·2^p_level) — from
-- stored nodes and leaf contents; NULL when a leaf it needs is gone. The caller keeps it inside the tree.
-- For the retention path: before removing entries 1..n, store the compact range of [0, n) with
-- audit_merkle_store_prefix(org, n) so that proofs for the remaining entries stay computable.
CREATE OR REPLACE FUNCTION audit_merkle_subtree_hash(p_org text, p_level integer, p_idx bigint) RETURNS bytea
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public SET plan_cache_mode = force_custom_plan AS $$
DECLARE
  v bytea;
  l bytea;
  r bytea;
BEGIN
  SELECT hash INTO v FROM audit_merkle_nodes WHERE org_id = p_org AND level = p_level AND idx = p_idx;
  IF FOUND THEN
    RETURN v;
  END IF;
  IF p_level = 0 THEN
    SELECT sha256('\x00'::bytea || convert_to(content, 'UTF8')) INTO v FROM audit_events WHERE org_id = p_org AND seq = p_idx + 1;
    RETURN v;
  END IF;
  l := audit_merkle_subtree_hash(p_org, p_level - 1, 2 * p_idx);
  r := audit_merkle_subtree_hash(p_org, p_level - 1, 2 * p_idx + 1);
  IF l IS NULL OR r IS NULL THEN
    RETURN NULL;
  END IF;
  RETURN sha256('\x01'::bytea || l || r);
END;
$$;

-- Custom SQL appended from prisma/definitions/functions/audit_retention_plan.sql (not expressible in schema.prisma)
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

-- Custom SQL appended from prisma/definitions/functions/audit_retention_purge.sql (not expressible in schema.prisma)
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
