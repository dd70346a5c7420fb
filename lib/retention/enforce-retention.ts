import type { Actor } from "../audit/event-schema";
import { formatTimestamp } from "../audit/format-timestamp";
import { recordEvent } from "../audit/record-event";
import type { Database } from "../db/open-database";
import type { SqlExecutor } from "../db/sql";
import { AppError } from "../errors";
import { readLeafHashes } from "../audit/read-leaf-hashes";
import { readStoredFrontier } from "../audit/read-stored-frontier";
import { extendFrontier } from "../integrity/merkle";
import { noteText, parseCutNoteText } from "./cut-note";
import { signCutNote } from "./sign-cut-note";

export const RETENTION_ACTOR: Actor = { id: "audit-trail-retention", type: "system", name: "Retention job" };

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
 * remove a prefix of seq: 1..N where N+1 is the first entry that is not yet expired or is under an
 * active legal hold (a held entry stops the cut just before it; nothing after it is removed either).
 *
 * Everything happens in one transaction (prisma/definitions/functions/audit_retention_plan.sql, audit_retention_purge.sql):
 * `audit_retention_plan(org)` locks the chain head and computes N from the org's policy and holds
 * (nothing is chosen by the caller); the cut note (lib/retention/cut-note.ts: cut seq and hash, the
 * Merkle frontier at N) is built here and signed with the log key, which the database never sees;
 * `audit_retention_purge(org, note)` re-plans, refuses a note that does not name that cut, deletes
 * 1..N and records the cut with its note; `retention.enforced` is appended in the same transaction.
 */
export async function enforceRetention(opts: { db: Database; orgId: string }): Promise<EnforcementResult> {
  return opts.db.sql.transaction(async (tx): Promise<EnforcementResult> => {
    const [plan] = await tx.query<PlanRow>(`SELECT * FROM public.audit_retention_plan($1)`, [opts.orgId]);
    if (!plan) throw new AppError("internal_error", "retention plan returned nothing");
    const base = { org_id: opts.orgId, cutoff: formatTimestamp(new Date(plan.cutoff)), held_from_seq: plan.held_from_seq === null ? null : Number(plan.held_from_seq) };
    const through = Number(plan.through_seq);
    const lastCut = Number(plan.last_cut);
    if (through <= lastCut) {
      return { ...base, removed: 0, through_seq: null, cut_hash: null, stopped_by: plan.stopped_by } satisfies EnforcementResult;
    }
    const frontier = await frontierAt({ sql: tx, orgId: opts.orgId, lastCut, through });
    const note = await signCutNote({
      tx,
      orgId: opts.orgId,
      statement: { cutSeq: through, cutHash: plan.cut_hash!, cutoff: base.cutoff, frontier },
    });
    // Proofs for the remaining entries must not need the removed leaves: keep the compact range of [0, N).
    await tx.query(`SELECT audit_merkle_store_prefix($1, $2)`, [opts.orgId, through]);
    const [done] = await tx.query<PlanRow & { removed: number }>(`SELECT * FROM public.audit_retention_purge($1, $2)`, [opts.orgId, note]);
    const removed = Number(done?.removed ?? 0);
    if (!done || removed === 0 || Number(done.through_seq) !== through) {
      throw new AppError("conflict", "retention: the chain or the legal holds changed while the cut was prepared; try again");
    }
    const result: EnforcementResult = { ...base, removed, through_seq: through, cut_hash: done.cut_hash, stopped_by: plan.stopped_by };
    await recordEvent({
      tx,
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
          retention_days: plan.retention_days,
          stopped_by: result.stopped_by,
          held_from_seq: result.held_from_seq,
        },
      },
    });
    return result;
  });
}

type PlanRow = {
  head_seq: number;
  last_cut: number;
  through_seq: number;
  cut_hash: string | null;
  cutoff: Date | string;
  retention_days: number;
  stopped_by: EnforcementResult["stopped_by"];
  held_from_seq: number | null;
};

/**
 * The Merkle frontier (compact range) of the tree of size `through`: the previous cut's frontier
 * (from its note; empty tree when there was none) extended with the leaves lastCut+1..through,
 * which are still there (the chain head is locked). null when the previous cut's note has none.
 */
async function frontierAt(opts: { sql: SqlExecutor; orgId: string; lastCut: number; through: number }): Promise<Uint8Array[] | null> {
  let frontier: Uint8Array[] = [];
  if (opts.lastCut > 0) {
    const [prev] = await opts.sql.query<{ note: string | null }>(`SELECT note FROM audit_chain_cuts WHERE org_id = $1 AND cut_seq = $2`, [opts.orgId, opts.lastCut]);
    const statement = prev?.note ? parseCutNoteText(noteText(prev.note)) : null;
    // a cut made before issue #9 has no note: the stored subtrees of the removed prefix (tree backfill)
    const known = statement?.frontier ?? (await readStoredFrontier({ sql: opts.sql, orgId: opts.orgId, size: opts.lastCut }));
    if (!known) return null;
    frontier = known;
  }
  let size = opts.lastCut;
  for await (const rows of readLeafHashes({ sql: opts.sql, orgId: opts.orgId, afterSeq: opts.lastCut, throughSeq: opts.through })) {
    if (rows[0]!.seq !== size + 1) throw new AppError("internal_error", `retention: entry ${size + 1} is missing; the chain has a gap`);
    const next = extendFrontier({ frontier, size, leafHashes: rows.map((r) => r.leaf) });
    frontier = next.frontier;
    size = next.size;
    if (rows[rows.length - 1]!.seq !== size) throw new AppError("internal_error", `retention: the chain has a gap before entry ${rows[rows.length - 1]!.seq}`);
  }
  if (size !== opts.through) throw new AppError("internal_error", `retention: entries up to ${opts.through} expected, ${size} found`);
  return frontier;
}

/** Runs enforcement for every org (the periodic job). One org's failure does not stop the others. */
export async function enforceRetentionForAllOrgs(opts: { db: Database; log?: (line: string) => void }): Promise<EnforcementResult[]> {
  const orgs = await opts.db.prisma.org.findMany({ select: { id: true }, orderBy: { id: "asc" } });
  const out: EnforcementResult[] = [];
  for (const { id } of orgs) {
    try {
      const r = await enforceRetention({ db: opts.db, orgId: id });
      if (r.removed > 0) opts.log?.(`[audit-trail] retention: org ${id}: removed entries 1..${r.through_seq} (${r.removed}), stopped by ${r.stopped_by}`);
      out.push(r);
    } catch (e) {
      opts.log?.(`[audit-trail] retention: org ${id} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return out;
}
