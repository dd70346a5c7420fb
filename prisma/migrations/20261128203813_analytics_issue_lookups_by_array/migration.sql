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
  v_touched text[];
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
  -- The issues this batch touches are read first into an array: stored events are then found by
  -- (org_id, resource_id) = ANY(array), an index scan whatever the planner believes. As an IN
  -- (subquery), an org created after the table was last analysed (estimated at one row) got a nested
  -- loop that re-read the batch for every stored issue event: each batch slower than the one before,
  -- 236 ms → 8.8 s over 10 batches of 1 000 (503 at the statement budget at 2 M entries on Citus).
  SELECT array_agg(DISTINCT e.resource_id) INTO v_touched
  FROM public.audit_events e
  WHERE e.org_id = p_org AND e.seq BETWEEN p_from_seq AND p_to_seq AND e.action IN ('issue.created', 'issue.resolved');
  IF v_touched IS NULL THEN
    RETURN;
  END IF;

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
      WHERE i.org_id = p_org AND i.seq < p_from_seq AND i.resource_id = ANY (v_touched)
    ) a
  ) w
  WHERE w.added;

  -- Issues with a stored event later than this batch's first event of the issue: one index probe
  -- per touched issue (a join of stored × new events was a nested loop over both with stale statistics).
  SELECT array_agg(n.resource_id) INTO v_issues
  FROM (SELECT e.resource_id, min(e."timestamp") AS first_new
        FROM public.audit_events e
        WHERE e.org_id = p_org AND e.seq BETWEEN p_from_seq AND p_to_seq AND e.action IN ('issue.created', 'issue.resolved')
        GROUP BY e.resource_id) n
  WHERE EXISTS (SELECT 1 FROM public.audit_issue_events i
                WHERE i.org_id = p_org AND i.resource_id = n.resource_id AND i."timestamp" > n.first_new AND i.seq < p_from_seq);
  PERFORM public.audit_issue_deltas_recompute(p_org, v_issues);
END;
$$;
