import type { SqlExecutor } from "../db/sql";
import { AppError } from "../errors";
import { requireSignedSize } from "./get-checkpoint";
import { getRangeHashes } from "./get-range-hashes";
import { consistencyProofRanges, rangeKey } from "./merkle";

export interface ConsistencyProof {
  first: number;
  second: number;
  hashes: Uint8Array[];
}

/**
 * RFC 9162 §2.1.4 consistency proof between the org's trees of sizes `first` and `second`
 * (1 ≤ first ≤ second ≤ the latest checkpoint's size; first = second gives an empty proof).
 * 400 naming `first` or `second` otherwise.
 */
export async function proveConsistency(opts: { sql: SqlExecutor; orgId: string; first: number; second: number }): Promise<ConsistencyProof> {
  const { sql, orgId, first, second } = opts;
  if (!Number.isSafeInteger(first) || first < 1) throw new AppError("invalid_parameter", "first: must be an integer of at least 1", { field: "first" });
  if (!Number.isSafeInteger(second) || second < 1) throw new AppError("invalid_parameter", "second: must be an integer of at least 1", { field: "second" });
  if (first > second) throw new AppError("invalid_parameter", `first: ${first} is larger than second (${second})`, { field: "first" });
  await requireSignedSize({ sql, orgId, size: second, field: "second" });
  const ranges = consistencyProofRanges(first, second);
  const hashes = ranges.length ? await getRangeHashes({ sql, orgId, treeSize: second, ranges }) : new Map<string, Uint8Array>();
  return { first, second, hashes: ranges.map((r) => hashes.get(rangeKey(r))!) };
}
