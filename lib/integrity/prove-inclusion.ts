import type { SqlExecutor } from "../db/sql";
import { AppError } from "../errors";
import { getLatestTreeSize, requireSignedSize } from "./get-checkpoint";
import { getRangeHashes } from "./get-range-hashes";
import { inclusionProofRanges, rangeKey } from "./merkle";

export interface InclusionProof {
  id: string;
  seq: number;
  leaf_index: number;
  tree_size: number;
  leaf_hash: Uint8Array;
  hashes: Uint8Array[];
}

/**
 * RFC 9162 §2.1.3 inclusion proof of one entry (by `id` or `seq`; leaf index = seq − 1) in the org's
 * tree of `treeSize` (default: the latest checkpoint's size). 404 for an unknown entry or before the
 * first checkpoint; 400 (tree_size) when the tree is larger than the log or does not contain the entry.
 */
export async function proveInclusion(opts: { sql: SqlExecutor; orgId: string; id?: string; seq?: number; treeSize?: number }): Promise<InclusionProof> {
  const { sql, orgId } = opts;
  if (opts.id === undefined && opts.seq === undefined) throw new AppError("invalid_parameter", "proveInclusion needs an id or a seq", { field: "id" });
  const rows = await sql.query<{ id: string; seq: number }>(
    opts.id !== undefined ? `SELECT id, seq FROM audit_events WHERE org_id = $1 AND id = $2` : `SELECT id, seq FROM audit_events WHERE org_id = $1 AND seq = $2`,
    [orgId, opts.id ?? opts.seq!],
  );
  const entry = rows[0];
  if (!entry) throw new AppError("not_found", opts.id !== undefined ? `audit log "${opts.id}" not found` : `no entry with seq ${opts.seq}`);
  const seq = Number(entry.seq);
  let size = opts.treeSize;
  if (size === undefined) {
    const latest = await getLatestTreeSize({ sql, orgId });
    if (latest === null) throw new AppError("not_found", "this org has no checkpoint yet (one is signed with the first ingested entry)");
    size = latest;
  } else {
    await requireSignedSize({ sql, orgId, size, field: "tree_size" });
  }
  const index = seq - 1;
  if (index >= size) {
    throw new AppError("invalid_parameter", `tree_size: the tree of size ${size} does not contain entry seq ${seq} (leaf index ${index})`, { field: "tree_size" });
  }
  const ranges = inclusionProofRanges(index, size);
  const leafRange = { start: index, end: index + 1 };
  const hashes = await getRangeHashes({ sql, orgId, treeSize: size, ranges: [leafRange, ...ranges] });
  return { id: entry.id, seq, leaf_index: index, tree_size: size, leaf_hash: hashes.get(rangeKey(leafRange))!, hashes: ranges.map((r) => hashes.get(rangeKey(r))!) };
}
