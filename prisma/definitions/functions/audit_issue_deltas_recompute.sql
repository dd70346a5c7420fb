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
