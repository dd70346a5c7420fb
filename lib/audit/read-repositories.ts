import type { SqlExecutor } from "../db/sql";

export type RepositoryRow = { id: string; name: string | null };

/**
 * Every repository of an org (id and its latest name), found with a loose index scan of the
 * repository index: one probe per repository, not a scan of the org's entries. Used to resolve
 * repository names in filters and by the export forms' repository picker.
 */
export function readRepositories(opts: { sql: SqlExecutor; orgId: string }): Promise<RepositoryRow[]> {
  return opts.sql.query<RepositoryRow>(
    `WITH RECURSIVE r(id) AS (
       (SELECT repository_id FROM audit_events WHERE org_id = $1 AND repository_id IS NOT NULL ORDER BY repository_id LIMIT 1)
       UNION ALL
       SELECT (SELECT e.repository_id FROM audit_events e WHERE e.org_id = $1 AND e.repository_id > r.id ORDER BY e.repository_id LIMIT 1)
       FROM r WHERE r.id IS NOT NULL
     )
     SELECT r.id, (SELECT e.repository_name FROM audit_events e WHERE e.org_id = $1 AND e.repository_id = r.id ORDER BY e.timestamp DESC LIMIT 1) AS name
     FROM r WHERE r.id IS NOT NULL LIMIT 10000`,
    [opts.orgId],
  );
}
