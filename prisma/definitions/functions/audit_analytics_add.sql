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
