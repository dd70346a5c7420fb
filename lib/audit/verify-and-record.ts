import type { Database } from "../db/open-database";
import { recordEvent } from "./record-event";
import type { Actor } from "./event-schema";
import type { EventFilter } from "./query-events";
import { verifyChain, type LogKey } from "./verify-chain";
import type { VerifyResult } from "./verify-schemas";

/**
 * Verifies (lib/audit/verify-chain.ts) and records the verification itself as an `integrity.verified`
 * audit event with its summary, so /integrity can list past verifications. The event is appended
 * after the verification's snapshot: it is not part of what it reports.
 */
/**
 * On PostgreSQL, extra connections reading windows of the same snapshot (verify-chain.ts): three
 * windows in flight keep the database busy while this process replays the tree (2 cores: ~2× one).
 */
export const VERIFY_PARALLEL_POSTGRES = 2;

export async function verifyAndRecord(opts: {
  db: Database;
  orgId: string;
  actor: Actor;
  filter: EventFilter;
  range?: { from?: string; to?: string; repository_id?: string };
  logKey?: LogKey;
  deep?: boolean;
}): Promise<VerifyResult> {
  const parallel = opts.db.kind === "postgresql" ? VERIFY_PARALLEL_POSTGRES : 0;
  const result = await verifyChain({ sql: opts.db.sql, orgId: opts.orgId, filter: opts.filter, logKey: opts.logKey, parallel, deep: opts.deep });
  const kinds: Record<string, number> = {};
  for (const p of result.problems) kinds[p.problem] = (kinds[p.problem] ?? 0) + 1;
  await opts.db.sql.transaction((tx) =>
    recordEvent({
      tx,
      orgId: opts.orgId,
      event: {
        actor: opts.actor,
        action: "integrity.verified",
        resource: { type: "audit_log", id: opts.orgId, name: "Audit log" },
        details: {
          verified: result.verified,
          deep: opts.deep === true,
          range: opts.range ?? {},
          logs_checked: result.logs_checked,
          first_seq: result.first_seq,
          last_seq: result.last_seq,
          verification_hash: result.verification_hash,
          tree_size: result.log.tree_size,
          root_hash: result.log.root_hash,
          latest_checkpoint_size: result.log.latest_checkpoint?.tree_size ?? null,
          checkpoints_checked: result.log.checkpoints_checked,
          problem_count: result.problem_count,
          problem_kinds: kinds,
          first_problem: result.problems[0]?.message ?? null,
        },
      },
    }),
  );
  return result;
}
