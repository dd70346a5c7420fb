import type { SqlExecutor } from "../db/sql";
import { requireSignedSize } from "./get-checkpoint";
import { getRangeHashes } from "./get-range-hashes";
import { multiProofRanges, rangeKey } from "./merkle";

export interface EntriesProof {
  tree_size: number;
  /** The subtrees that, with the leaf hashes of the given entries, give the root (merkle.ts rootFromMultiProof); sorted by start. */
  nodes: Array<{ start: number; end: number; hash: Uint8Array }>;
}

/**
 * Multiproof for a set of entries (leaf indices = seq − 1) in the org's tree of `treeSize` (≤ the
 * latest checkpoint's size): what an export carries so that an offline verifier recomputes the
 * checkpoint's root from the entries it holds (docs/exports.md).
 */
export async function proveEntries(opts: { sql: SqlExecutor; orgId: string; treeSize: number; indices: readonly number[] }): Promise<EntriesProof> {
  const { sql, orgId, treeSize } = opts;
  await requireSignedSize({ sql, orgId, size: treeSize, field: "tree_size" });
  const ranges = multiProofRanges(opts.indices, treeSize);
  const hashes = ranges.length ? await getRangeHashes({ sql, orgId, treeSize, ranges }) : new Map<string, Uint8Array>();
  return { tree_size: treeSize, nodes: ranges.map((r) => ({ start: r.start, end: r.end, hash: hashes.get(rangeKey(r))! })) };
}
