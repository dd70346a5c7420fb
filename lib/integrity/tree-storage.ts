import { HASH_SIZE, type Frontier } from "./merkle";

/**
 * How an org's Merkle tree is kept (prisma/definitions/functions/audit_merkle_*.sql, docs/integrity.md):
 * - `audit_chain_heads.tree_size` + `.frontier`: the size and right frontier (compact range), enough
 *   to extend the tree by a batch and get the new root without reading anything else;
 * - `audit_merkle_nodes`: every completed perfect subtree at levels 4, 8, 12, … (every
 *   STORED_LEVEL_STEP-th level). A batch of 1000 adds about 1000/16 + 1000/256 ≈ 66 rows, and any
 *   perfect subtree's hash is one stored row, at most 8 stored rows (levels 5–7 above a stored level),
 *   or at most 8 leaf hashes (levels 0–3), which the database recomputes from `content`.
 */
export const STORED_LEVEL_STEP = 4;

export const isStoredLevel = (level: number): boolean => level > 0 && level % STORED_LEVEL_STEP === 0;

export function packFrontier(frontier: Frontier): string {
  return frontier.map((h) => Buffer.from(h).toString("hex")).join("");
}

export function unpackFrontier(bytes: Uint8Array | null | undefined): Frontier {
  const out: Frontier = [];
  if (!bytes) return out;
  for (let i = 0; i + HASH_SIZE <= bytes.length; i += HASH_SIZE) out.push(Uint8Array.prototype.slice.call(bytes, i, i + HASH_SIZE));
  return out;
}

/** SQL for one leaf hash computed inside the database from the stored content (same bytes as leafHash(content)). */
export const LEAF_HASH_SQL = `sha256('\\x00'::bytea || convert_to(content, 'UTF8'))`;
