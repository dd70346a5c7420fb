import type { SqlClient } from "../db/sql";
import { signCheckpoint } from "./sign-checkpoint";

/**
 * Start-up: signs a checkpoint for every org whose tree no checkpoint covers yet (the migration that
 * introduced the tree built it for chains that already existed). Each org in its own transaction,
 * under its chain-head lock, with the same checks as ingest: an org with rows the tree does not cover
 * is reported and skipped (its ingest refuses until an operator resolves it). Returns how many were signed.
 */
export async function signPendingCheckpoints(opts: { sql: SqlClient; log?: (line: string) => void }): Promise<number> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const pending = await opts.sql.query<{ org_id: string }>(
    `SELECT h.org_id FROM audit_chain_heads h
     WHERE h.tree_size > coalesce((SELECT max(c.tree_size) FROM audit_checkpoints c WHERE c.org_id = h.org_id), 0)
        OR h.seq <> h.tree_size`,
  );
  let signed = 0;
  for (const { org_id: orgId } of pending) {
    try {
      const cp = await opts.sql.transaction(async (tx) => {
        const head = await tx.query<{ seq: number }>(`SELECT seq FROM audit_chain_heads WHERE org_id = $1 FOR UPDATE`, [orgId]);
        return signCheckpoint({ tx, orgId, headSeq: Number(head[0]!.seq), contents: [] });
      });
      if (cp) {
        signed++;
        log(`[audit-trail] signed checkpoint of org ${orgId} at tree size ${cp.treeSize} (its tree was built from the existing chain)`);
      }
    } catch (e) {
      log(`[audit-trail] org ${orgId}: no checkpoint signed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return signed;
}
