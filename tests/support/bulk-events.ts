import { withoutQueryBudget } from "@/lib/db/query-budget";
import type { SqlExecutor } from "@/lib/db/sql";

/**
 * Loads `count` synthetic events into `orgId` with one INSERT … SELECT over generate_series, through
 * the table's real triggers (search vector, append-only guards), then keeps the analytics side tables
 * (rollups, scan scores, issue events) with audit_analytics_add as every writer must: seconds instead of minutes
 * through the ingest path. The chain fields are placeholders (`sha256:` + md5), so these rows are for
 * query plans and load, not for verification. Variety: 24 actions in 5 families, 60 actors (users,
 * service accounts, a system actor), 8 resource types × 200 ids, 12 repositories, ~4 years of
 * timestamps, free text in details. The chain head is moved to the last seq.
 */
export function loadBulkEvents(opts: { sql: SqlExecutor; orgId: string; count: number; startSeq?: number }): Promise<void> {
  // Bulk work, like migrations: no statement timeout.
  return withoutQueryBudget(() => load(opts));
}

async function load(opts: { sql: SqlExecutor; orgId: string; count: number; startSeq?: number }): Promise<void> {
  const start = opts.startSeq ?? 1;
  await opts.sql.query(
    `WITH g AS (
       SELECT n,
         (ARRAY['policy.update','policy.create','policy.delete','user.login','user.logout','user.create','user.delete',
                'scan.completed','scan.started','scan.failed','issue.created','issue.resolved','issue.assigned',
                'repo.created','repo.archived','token.created','token.revoked','export.created','export.downloaded',
                'settings.update','role.granted','role.revoked','integration.added','integration.removed'])[1 + n % 24] AS action,
         CASE WHEN n % 10 = 0 THEN 'service_account' WHEN n % 97 = 0 THEN 'system' ELSE 'user' END AS actor_type,
         'user-' || (n % 60) AS actor_id,
         CASE WHEN n % 10 = 0 THEN NULL ELSE 'user' || (n % 60) || '@example.com' END AS actor_email,
         (ARRAY['policy','user','scan','issue','repository','token','export','integration'])[1 + n % 8] AS resource_type,
         'res-' || (n % 200) AS resource_id,
         CASE WHEN n % 5 = 0 THEN NULL ELSE 'repo_' || (n % 12) END AS repository_id,
         TIMESTAMPTZ '2026-01-01 00:00:00+00' - make_interval(secs => n * 421) AS ts
       FROM generate_series($2::bigint, $2::bigint + $3::bigint - 1) AS n
     )
     INSERT INTO audit_events (org_id, seq, id, timestamp, received_at, actor_id, actor_type, actor_email, action,
       resource_type, resource_id, repository_id, repository_name, content, request_digest, hash, previous_hash)
     SELECT $1, n, 'bulk-' || n, ts, ts, actor_id, actor_type, actor_email, action, resource_type, resource_id,
       repository_id, CASE WHEN repository_id IS NULL THEN NULL ELSE 'acme/' || repository_id END,
       jsonb_strip_nulls(jsonb_build_object(
         'id', 'bulk-' || n, 'timestamp', to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
         'received_at', to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'org', $1::text, 'seq', n,
         'actor', jsonb_build_object('id', actor_id, 'type', actor_type, 'email', actor_email, 'name', 'User ' || (n % 60)),
         'action', action,
         'resource', jsonb_build_object('type', resource_type, 'id', resource_id, 'name', initcap(resource_type) || ' ' || (n % 200)),
         'repository', CASE WHEN repository_id IS NULL THEN NULL ELSE jsonb_build_object('id', repository_id, 'name', 'acme/' || repository_id) END,
         'changes', CASE WHEN n % 3 = 0 THEN jsonb_build_object('mode', jsonb_build_object('old', 'monitor', 'new', 'block')) END,
         'details', jsonb_build_object('framework', (ARRAY['soc2','iso27001','pci'])[1 + n % 3],
            'note', (ARRAY['access denied for contractor','quarterly review done','critical vulnerability fixed',
                           'PII export requested','password rotated'])[1 + n % 5] || ' ' || md5(n::text)),
         'ip_address', '203.0.' || (n % 256) || '.' || (n % 250),
         'request_id', 'req_' || n, 'session_id', 'sess_' || (n % 5000),
         'user_agent', 'bulk-loader/1.0'))::text,
       md5('d' || n), 'sha256:' || md5('h' || n) || md5('h2' || n),
       CASE WHEN n = 1 THEN NULL ELSE 'sha256:' || md5('h' || (n - 1)) || md5('h2' || (n - 1)) END
     FROM g`,
    [opts.orgId, start, opts.count],
  );
  const last = start + opts.count - 1;
  await opts.sql.query(`SELECT 1 AS done FROM audit_analytics_add($1, $2, $3)`, [opts.orgId, start, last]);
  await opts.sql.query(
    `INSERT INTO audit_chain_heads (org_id, seq, hash) VALUES ($1, $2, $3)
     ON CONFLICT (org_id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash`,
    [opts.orgId, last, `sha256:${"0".repeat(64)}`],
  );
}
