-- This is an empty migration.

-- Custom SQL appended from prisma/steps/analytics_in_append.sql (not expressible in schema.prisma)
-- Issue 11: no statement triggers with transition tables (Citus cannot run them: every insert failed
-- with `executor could not find named tuplestore "new_rows"`). The analytics side tables (rollups,
-- scan scores, issue events and their deltas) are now kept by audit_analytics_add(org, from, to),
-- called by every writer after its INSERT in the same transaction, and audit_analytics_remove(org,
-- through), called by the retention purge before its DELETE (prisma/definitions/functions/). What is
-- stored stays as it is: the triggers kept the side tables exact up to this migration.
DROP TRIGGER IF EXISTS audit_events_rollups_insert ON "audit_events";
DROP TRIGGER IF EXISTS audit_events_rollups_delete ON "audit_events";
DROP FUNCTION IF EXISTS audit_rollups_add();
DROP FUNCTION IF EXISTS audit_rollups_remove();
DROP FUNCTION IF EXISTS audit_issue_deltas_recompute(text[], text[]);

-- Custom SQL appended from prisma/definitions/functions/audit_issue_deltas_recompute.sql (not expressible in schema.prisma)
-- Each issue event's effect on the open-issue count is kept in audit_issue_events.delta (+1 opens,
-- -1 resolves, 0 nothing). This recomputes it over the whole sequence of every issue in p_issues of
-- one org (so out-of-order timestamps are handled), after audit_analytics_add / _remove changed
-- them. The open-issues history then sums deltas instead of running a window. Per org (Citus: one
-- org's shard).
CREATE OR REPLACE FUNCTION public.audit_issue_deltas_recompute(p_org text, p_issues text[]) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
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
CREATE OR REPLACE FUNCTION public.audit_analytics_add(p_org text, p_from_seq bigint, p_to_seq bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
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

  WITH added AS (
    INSERT INTO public.audit_issue_events (org_id, seq, resource_id, "timestamp", opened, repository_id, framework)
    SELECT e.org_id, e.seq, e.resource_id, e."timestamp", e.action = 'issue.created', e.repository_id, e.content::jsonb #>> '{details,framework}'
    FROM public.audit_events e
    WHERE e.org_id = p_org AND e.seq BETWEEN p_from_seq AND p_to_seq AND e.action IN ('issue.created', 'issue.resolved')
    RETURNING resource_id
  )
  SELECT array_agg(DISTINCT resource_id) INTO v_issues FROM added;
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
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
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
  WITH gone AS (
    DELETE FROM public.audit_issue_events i WHERE i.org_id = p_org AND i.seq <= p_through_seq RETURNING i.resource_id
  )
  SELECT array_agg(DISTINCT resource_id) INTO v_issues FROM gone;
  PERFORM public.audit_issue_deltas_recompute(p_org, v_issues);
END;
$$;

-- Custom SQL appended from prisma/definitions/functions/audit_events_set_search_vector.sql (not expressible in schema.prisma)
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
