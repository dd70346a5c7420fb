import type { SqlExecutor } from "@/lib/db/sql";

/**
 * How many rows of each analytics side table differ from a recount of the org's stored events
 * (rows stored but not recounted plus rows recounted but not stored; 0 everywhere = exact).
 */
export async function analyticsDrift(sql: SqlExecutor, orgId: string): Promise<Record<string, number>> {
  const recount = {
    audit_daily_rollups: `SELECT org_id, ("timestamp" AT TIME ZONE 'UTC')::date AS day, action, coalesce(repository_name, '') AS repository_name, actor_type,
        coalesce(actor_email, content::jsonb #>> '{actor,name}', actor_id) AS actor_key, count(*)::int8 AS event_count
      FROM audit_events WHERE org_id = $1 GROUP BY 1, 2, 3, 4, 5, 6`,
    audit_monthly_rollups: `SELECT org_id, date_trunc('month', "timestamp" AT TIME ZONE 'UTC')::date AS month, action, coalesce(repository_name, '') AS repository_name,
        actor_type, coalesce(actor_email, content::jsonb #>> '{actor,name}', actor_id) AS actor_key, count(*)::int8 AS event_count
      FROM audit_events WHERE org_id = $1 GROUP BY 1, 2, 3, 4, 5, 6`,
    audit_scan_scores: `SELECT org_id, seq, "timestamp", coalesce(repository_id, '') AS repository_id, content::jsonb #>> '{details,framework}' AS framework,
        (content::jsonb #>> '{details,score}')::float8 AS score
      FROM audit_events WHERE org_id = $1 AND action = 'scan.completed' AND jsonb_typeof(content::jsonb #> '{details,score}') = 'number'`,
    audit_issue_events: `SELECT org_id, seq, resource_id, "timestamp", opened, repository_id, framework,
        (CASE WHEN opened AND NOT was THEN 1 WHEN was AND NOT opened THEN -1 ELSE 0 END)::smallint AS delta
      FROM (SELECT org_id, seq, resource_id, "timestamp", action = 'issue.created' AS opened, repository_id,
              content::jsonb #>> '{details,framework}' AS framework,
              coalesce(lag(action = 'issue.created') OVER (PARTITION BY resource_id ORDER BY "timestamp", seq), false) AS was
            FROM audit_events WHERE org_id = $1 AND action IN ('issue.created', 'issue.resolved')) w`,
  };
  const out: Record<string, number> = {};
  for (const [table, query] of Object.entries(recount)) {
    const stored = `SELECT * FROM ${table} WHERE org_id = $1`;
    const [row] = await sql.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM ((${stored}) EXCEPT ALL (${query})) a) + (SELECT count(*) FROM ((${query}) EXCEPT ALL (${stored})) b) AS n`,
      [orgId],
    );
    out[table] = Number(row!.n);
  }
  return out;
}


export const ANALYTICS_EXACT = { audit_daily_rollups: 0, audit_monthly_rollups: 0, audit_scan_scores: 0, audit_issue_events: 0 };
