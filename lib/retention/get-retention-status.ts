import { formatTimestamp } from "../audit/format-timestamp";
import type { Database } from "../db/open-database";
import { getRetentionPolicy, type RetentionPolicy } from "./retention-policy";

const DAY_MS = 86_400_000;

export interface RetentionStatus {
  policy: RetentionPolicy;
  /** Measured: the on-disk size of this org's audit rows (pg_column_size of each row), in GB. */
  storage_used_gb: number;
  storage_used_bytes: number;
  oldest_log: string | null;
  total_logs: number;
  /** Entries older than audit_logs.archive_after_days (the archive tier; see docs/retention.md). */
  logs_past_archive_age: number;
  /** Entries older than audit_logs.retention_days, awaiting (or held back from) the next enforcement. */
  logs_past_retention: number;
  /** The latest retention cut: entries 1..through_seq were removed. */
  last_cut: { through_seq: number; cut_hash: string; removed: number; cutoff: string; at: string } | null;
  active_legal_holds: number;
}

/** GET /api/v1/audit/retention: the policy plus what it applies to, measured from the database. */
export async function getRetentionStatus(opts: { db: Database; orgId: string; now?: Date }): Promise<RetentionStatus> {
  const now = opts.now ?? new Date();
  const policy = await getRetentionPolicy(opts);
  const archiveBefore = new Date(now.getTime() - policy.audit_logs.archive_after_days * DAY_MS);
  const retainBefore = new Date(now.getTime() - policy.audit_logs.retention_days * DAY_MS);
  const [row] = await opts.db.sql.query<{
    bytes: number | null;
    total: number;
    oldest: Date | null;
    past_archive: number;
    past_retention: number;
    holds: number;
  }>(
    `SELECT
       (SELECT sum(pg_column_size(e.*))::int8 FROM audit_events e WHERE e.org_id = $1) AS bytes,
       (SELECT coalesce(sum(event_count), 0)::int8 FROM audit_daily_rollups WHERE org_id = $1) AS total,
       (SELECT min(timestamp) FROM audit_events WHERE org_id = $1) AS oldest,
       (SELECT count(*)::int8 FROM audit_events WHERE org_id = $1 AND timestamp < $2) AS past_archive,
       (SELECT count(*)::int8 FROM audit_events WHERE org_id = $1 AND timestamp < $3) AS past_retention,
       (SELECT count(*)::int8 FROM legal_holds WHERE org_id = $1 AND released_at IS NULL) AS holds`,
    [opts.orgId, archiveBefore, retainBefore],
  );
  const [cut] = await opts.db.sql.query<{ cut_seq: number; cut_hash: string; removed_count: number; cutoff: Date; created_at: Date }>(
    `SELECT cut_seq, cut_hash, removed_count, cutoff, created_at FROM audit_chain_cuts WHERE org_id = $1 ORDER BY cut_seq DESC LIMIT 1`,
    [opts.orgId],
  );
  const bytes = Number(row?.bytes ?? 0);
  return {
    policy,
    storage_used_gb: Math.round((bytes / 1024 ** 3) * 10_000) / 10_000,
    storage_used_bytes: bytes,
    oldest_log: row?.oldest ? formatTimestamp(new Date(row.oldest)) : null,
    total_logs: Number(row?.total ?? 0),
    logs_past_archive_age: Number(row?.past_archive ?? 0),
    logs_past_retention: Number(row?.past_retention ?? 0),
    last_cut: cut
      ? { through_seq: Number(cut.cut_seq), cut_hash: cut.cut_hash, removed: Number(cut.removed_count), cutoff: formatTimestamp(new Date(cut.cutoff)), at: formatTimestamp(new Date(cut.created_at)) }
      : null,
    active_legal_holds: Number(row?.holds ?? 0),
  };
}
