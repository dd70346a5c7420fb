-- Issue #6, second step: monthly rollups and two narrow side tables (scan scores, issue events),
-- kept by the same statement-level triggers as the daily rollups (the functions are replaced
-- here), and backfilled from what is stored. Retention's delete removes their rows too.

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
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Backfill.
INSERT INTO audit_monthly_rollups (org_id, month, action, repository_name, actor_type, actor_key, event_count)
SELECT org_id, date_trunc('month', day)::date, action, repository_name, actor_type, actor_key, sum(event_count)
FROM audit_daily_rollups
GROUP BY 1, 2, 3, 4, 5, 6;

INSERT INTO audit_scan_scores (org_id, seq, "timestamp", repository_id, framework, score)
SELECT org_id, seq, "timestamp", coalesce(repository_id, ''), c #>> '{details,framework}', (c #>> '{details,score}')::float8
FROM (SELECT e.org_id, e.seq, e."timestamp", e.repository_id, e.content::jsonb AS c FROM audit_events e WHERE e.action = 'scan.completed') s
WHERE jsonb_typeof(c #> '{details,score}') = 'number';

INSERT INTO audit_issue_events (org_id, seq, resource_id, "timestamp", opened, repository_id, framework)
SELECT org_id, seq, resource_id, "timestamp", action = 'issue.created', repository_id, content::jsonb #>> '{details,framework}'
FROM audit_events WHERE action IN ('issue.created', 'issue.resolved');
