import type { Actor } from "../audit/event-schema";
import { formatTimestamp } from "../audit/format-timestamp";
import { recordEvent } from "../audit/record-event";
import type { Database } from "../db/open-database";
import { getRetentionPolicy } from "./retention-policy";

export const RETENTION_ACTOR: Actor = { id: "audit-trail-retention", type: "system", name: "Retention job" };

const DAY_MS = 86_400_000;

export interface EnforcementResult {
  org_id: string;
  cutoff: string;
  /** Entries 1..through_seq are gone after this run (null: nothing was removed now). */
  removed: number;
  through_seq: number | null;
  cut_hash: string | null;
  /** Why the cut stopped where it did. */
  stopped_by: "unexpired_entry" | "legal_hold" | "chain_end" | "already_cut";
  held_from_seq: number | null;
}

/**
 * Enforces audit_logs.retention_days for one org. The chain is contiguous, so retention can only
 * remove a prefix of seq: it removes 1..N where N+1 is the first entry that is not yet expired or
 * is under an active legal hold (a held entry stops the cut just before it; nothing after it is
 * removed either, even if expired). The removal itself happens in the database function
 * audit_retention_purge(), the only path through the append-only guard, which re-checks expiry
 * and holds, deletes, and records the cut (last removed seq and its hash) in audit_chain_cuts.
 * Each run that removes something is itself recorded as `retention.enforced`.
 */
export async function enforceRetention(opts: { db: Database; orgId: string; now?: Date }): Promise<EnforcementResult> {
  const now = opts.now ?? new Date();
  const policy = await getRetentionPolicy(opts);
  const cutoff = new Date(now.getTime() - policy.audit_logs.retention_days * DAY_MS);
  const sql = opts.db.sql;
  const [state] = await sql.query<{ head: number | null; last_cut: number; first_unexpired: number | null; first_held: number | null }>(
    `SELECT
       (SELECT seq FROM audit_chain_heads WHERE org_id = $1) AS head,
       (SELECT coalesce(max(cut_seq), 0) FROM audit_chain_cuts WHERE org_id = $1)::int8 AS last_cut,
       (SELECT min(seq) FROM audit_events WHERE org_id = $1 AND timestamp >= $2) AS first_unexpired,
       (SELECT min(first_seq) FROM (
          SELECT CASE
            WHEN h.scope = 'all' THEN (SELECT min(seq) FROM audit_events WHERE org_id = $1)
            WHEN h.scope = 'repository' THEN (SELECT min(seq) FROM audit_events WHERE org_id = $1 AND repository_id = h.target)
            ELSE (SELECT min(seq) FROM audit_events WHERE org_id = $1 AND (actor_id = h.target OR actor_email = h.target))
          END AS first_seq
          FROM legal_holds h WHERE h.org_id = $1 AND h.released_at IS NULL) held) AS first_held`,
    [opts.orgId, cutoff],
  );
  const head = state?.head ?? 0;
  const lastCut = state?.last_cut ?? 0;
  const limit = head + 1;
  const unexpired = state?.first_unexpired ?? limit;
  const held = state?.first_held ?? limit;
  const through = Math.min(unexpired, held, limit) - 1;
  const base = { org_id: opts.orgId, cutoff: formatTimestamp(cutoff), held_from_seq: state?.first_held ?? null };
  const stopper = Math.min(unexpired, held, limit);
  const stoppedBy: EnforcementResult["stopped_by"] = stopper === limit ? "chain_end" : held === stopper ? "legal_hold" : "unexpired_entry";
  if (through <= lastCut) return { ...base, removed: 0, through_seq: null, cut_hash: null, stopped_by: stoppedBy };
  const removed = await sql.transaction(async (tx) => {
    const rows = await tx.query<{ n: number }>(`SELECT audit_retention_purge($1, $2, $3)::int8 AS n`, [opts.orgId, through, cutoff]);
    return Number(rows[0]?.n ?? 0);
  });
  if (removed === 0) return { ...base, removed: 0, through_seq: null, cut_hash: null, stopped_by: "already_cut" };
  const [cut] = await sql.query<{ cut_hash: string }>(`SELECT cut_hash FROM audit_chain_cuts WHERE org_id = $1 AND cut_seq = $2`, [opts.orgId, through]);
  const result: EnforcementResult = { ...base, removed, through_seq: through, cut_hash: cut?.cut_hash ?? null, stopped_by: stoppedBy };
  await recordEvent({
    sql,
    orgId: opts.orgId,
    event: {
      actor: RETENTION_ACTOR,
      action: "retention.enforced",
      resource: { type: "audit_log", id: opts.orgId, name: "Audit log retention" },
      details: {
        removed,
        through_seq: through,
        cut_hash: result.cut_hash,
        cutoff: result.cutoff,
        retention_days: policy.audit_logs.retention_days,
        stopped_by: stoppedBy,
        held_from_seq: result.held_from_seq,
      },
    },
  });
  return result;
}

/** Runs enforcement for every org (the periodic job). One org's failure does not stop the others. */
export async function enforceRetentionForAllOrgs(opts: { db: Database; now?: Date; log?: (line: string) => void }): Promise<EnforcementResult[]> {
  const orgs = await opts.db.prisma.org.findMany({ select: { id: true }, orderBy: { id: "asc" } });
  const out: EnforcementResult[] = [];
  for (const { id } of orgs) {
    try {
      const r = await enforceRetention({ db: opts.db, orgId: id, now: opts.now });
      if (r.removed > 0) opts.log?.(`[audit-trail] retention: org ${id}: removed entries 1..${r.through_seq} (${r.removed}), stopped by ${r.stopped_by}`);
      out.push(r);
    } catch (e) {
      opts.log?.(`[audit-trail] retention: org ${id} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return out;
}
