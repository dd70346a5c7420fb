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
