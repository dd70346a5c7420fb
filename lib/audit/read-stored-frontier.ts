import type { SqlExecutor } from "../db/sql";
import { rangeToPerfectSubtrees, type Frontier } from "../integrity/merkle";

/**
 * The compact range (Merkle frontier) of [0, size) from the stored subtrees of audit_merkle_nodes
 * (kept by audit_merkle_store_prefix before a retention cut, or by the tree's backfill); null when
 * one is missing. The database can be written by others: trust it only as far as the signed
 * checkpoints computed from it then match.
 */
export async function readStoredFrontier(opts: { sql: SqlExecutor; orgId: string; size: number }): Promise<Frontier | null> {
  const parts = rangeToPerfectSubtrees(0, opts.size);
  if (parts.length === 0) return [];
  const rows = await opts.sql.query<{ level: number; idx: number; hash: Uint8Array }>(
    `SELECT level, idx, hash FROM audit_merkle_nodes WHERE org_id = $1 AND (level, idx) IN (SELECT * FROM unnest($2::int[], $3::int8[]))`,
    [opts.orgId, parts.map((p) => p.level), parts.map((p) => p.index)],
  );
  const byKey = new Map(rows.map((r) => [`${r.level}/${Number(r.idx)}`, r.hash]));
  const out: Frontier = [];
  for (const p of parts) {
    const h = byKey.get(`${p.level}/${p.index}`);
    if (!h) return null;
    out.push(h);
  }
  return out;
}
