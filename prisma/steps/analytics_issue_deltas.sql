-- Issue #6, third step: each issue event's effect on the open-issue count is kept in
-- audit_issue_events.delta (+1 opens, -1 resolves, 0 nothing), recomputed by the triggers for every
-- issue an insert or a retention delete touches (whole sequence of that issue, so out-of-order
-- timestamps are handled). The open-issues history then sums deltas instead of running a window.

CREATE OR REPLACE FUNCTION audit_issue_deltas_recompute(orgs text[], issues text[]) RETURNS void AS $$
BEGIN
  IF coalesce(array_length(orgs, 1), 0) = 0 THEN
    RETURN;
  END IF;
  UPDATE audit_issue_events i SET delta = x.d
  FROM (
    SELECT org_id, seq, (CASE WHEN opened AND NOT was THEN 1 WHEN was AND NOT opened THEN -1 ELSE 0 END)::smallint AS d
    FROM (
      SELECT e.org_id, e.seq, e.opened,
             coalesce(lag(e.opened) OVER (PARTITION BY e.org_id, e.resource_id ORDER BY e."timestamp", e.seq), false) AS was
      FROM unnest(orgs, issues) AS k(org_id, resource_id)
      JOIN audit_issue_events e ON e.org_id = k.org_id AND e.resource_id = k.resource_id
    ) w
  ) x
  WHERE i.org_id = x.org_id AND i.seq = x.seq AND i.delta IS DISTINCT FROM x.d;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION audit_rollups_add() RETURNS trigger AS $$
BEGIN
  INSERT INTO audit_daily_rollups (org_id, day, action, repository_name, actor_type, actor_key, event_count)
  SELECT org_id, ("timestamp" AT TIME ZONE 'UTC')::date, action, coalesce(repository_name, ''), actor_type,
         coalesce(actor_email, content::jsonb #>> '{actor,name}', actor_id), count(*)
  FROM new_rows
  GROUP BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (org_id, day, action, repository_name, actor_type, actor_key)
  DO UPDATE SET event_count = audit_daily_rollups.event_count + EXCLUDED.event_count;

  INSERT INTO audit_monthly_rollups (org_id, month, action, repository_name, actor_type, actor_key, event_count)
  SELECT org_id, date_trunc('month', "timestamp" AT TIME ZONE 'UTC')::date, action, coalesce(repository_name, ''), actor_type,
         coalesce(actor_email, content::jsonb #>> '{actor,name}', actor_id), count(*)
  FROM new_rows
  GROUP BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (org_id, month, action, repository_name, actor_type, actor_key)
  DO UPDATE SET event_count = audit_monthly_rollups.event_count + EXCLUDED.event_count;

  INSERT INTO audit_scan_scores (org_id, seq, "timestamp", repository_id, framework, score)
  SELECT org_id, seq, "timestamp", coalesce(repository_id, ''), c #>> '{details,framework}', (c #>> '{details,score}')::float8
  FROM (SELECT n.org_id, n.seq, n."timestamp", n.repository_id, n.content::jsonb AS c FROM new_rows n WHERE n.action = 'scan.completed') s
  WHERE jsonb_typeof(c #> '{details,score}') = 'number';

  INSERT INTO audit_issue_events (org_id, seq, resource_id, "timestamp", opened, repository_id, framework)
  SELECT org_id, seq, resource_id, "timestamp", action = 'issue.created', repository_id, content::jsonb #>> '{details,framework}'
  FROM new_rows WHERE action IN ('issue.created', 'issue.resolved');
  PERFORM audit_issue_deltas_recompute(k.orgs, k.issues)
  FROM (SELECT array_agg(org_id) AS orgs, array_agg(resource_id) AS issues
        FROM (SELECT DISTINCT org_id, resource_id FROM new_rows WHERE action IN ('issue.created', 'issue.resolved')) d) k;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION audit_rollups_remove() RETURNS trigger AS $$
BEGIN
  UPDATE audit_daily_rollups r SET event_count = r.event_count - d.n
  FROM (
    SELECT org_id, ("timestamp" AT TIME ZONE 'UTC')::date AS day, action, coalesce(repository_name, '') AS repository_name, actor_type,
           coalesce(actor_email, content::jsonb #>> '{actor,name}', actor_id) AS actor_key, count(*) AS n
    FROM old_rows GROUP BY 1, 2, 3, 4, 5, 6
  ) d
  WHERE r.org_id = d.org_id AND r.day = d.day AND r.action = d.action AND r.repository_name = d.repository_name
    AND r.actor_type = d.actor_type AND r.actor_key = d.actor_key;
  DELETE FROM audit_daily_rollups WHERE event_count <= 0;

  UPDATE audit_monthly_rollups r SET event_count = r.event_count - d.n
  FROM (
    SELECT org_id, date_trunc('month', "timestamp" AT TIME ZONE 'UTC')::date AS month, action, coalesce(repository_name, '') AS repository_name, actor_type,
           coalesce(actor_email, content::jsonb #>> '{actor,name}', actor_id) AS actor_key, count(*) AS n
    FROM old_rows GROUP BY 1, 2, 3, 4, 5, 6
  ) d
  WHERE r.org_id = d.org_id AND r.month = d.month AND r.action = d.action AND r.repository_name = d.repository_name
    AND r.actor_type = d.actor_type AND r.actor_key = d.actor_key;
  DELETE FROM audit_monthly_rollups WHERE event_count <= 0;

  DELETE FROM audit_scan_scores s USING old_rows o WHERE s.org_id = o.org_id AND s.seq = o.seq;
  DELETE FROM audit_issue_events i USING old_rows o WHERE i.org_id = o.org_id AND i.seq = o.seq;
  PERFORM audit_issue_deltas_recompute(k.orgs, k.issues)
  FROM (SELECT array_agg(org_id) AS orgs, array_agg(resource_id) AS issues
        FROM (SELECT DISTINCT org_id, resource_id FROM old_rows WHERE action IN ('issue.created', 'issue.resolved')) d) k;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Backfill.
UPDATE audit_issue_events i SET delta = x.d
FROM (
  SELECT org_id, seq, (CASE WHEN opened AND NOT was THEN 1 WHEN was AND NOT opened THEN -1 ELSE 0 END)::smallint AS d
  FROM (
    SELECT org_id, seq, opened,
           coalesce(lag(opened) OVER (PARTITION BY org_id, resource_id ORDER BY "timestamp", seq), false) AS was
    FROM audit_issue_events
  ) w
) x
WHERE i.org_id = x.org_id AND i.seq = x.seq AND i.delta IS DISTINCT FROM x.d;
