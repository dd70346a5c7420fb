import type { SqlExecutor } from "../db/sql";
import { AppError } from "../errors";
import { hashFromPerfectSubtrees, nodeHash, rangeKey, rangeToPerfectSubtrees, type Range } from "./merkle";
import { isStoredLevel, LEAF_HASH_SQL } from "./tree-storage";

export interface GetRangeHashesOptions {
  sql: SqlExecutor;
  orgId: string;
  /** The tree the ranges belong to; every range must lie inside [0, treeSize). */
  treeSize: number;
  /** Ranges that are nodes of the RFC 9162 tree of treeSize (what merkle.ts's proof functions name). */
  ranges: readonly Range[];
}

/** Rows per query: keeps parameter arrays and answers small when an export proves many entries. */
const CHUNK = 5000;

/**
 * MTH(D[start:end]) of each range, keyed `"start-end"`, from the stored subtrees (levels 4, 8, …,
 * and any node stored on purpose, e.g. before a retention cut) and leaf hashes the database computes
 * from `content` (lib/integrity/tree-storage.ts). Each range is split into perfect subtrees; each
 * subtree is one stored row, or up to 8 stored rows one stored level down, or (levels 0–3) up to 8
 * leaves: an inclusion proof at a million entries reads ~100 small rows in two queries. When a stored
 * node is missing the subtree is rebuilt from the level below; when leaves a range needs were removed
 * by retention and no stored node covers them, the answer is 410 (gone).
 */
export async function getRangeHashes(opts: GetRangeHashesOptions): Promise<Map<string, Uint8Array>> {
  const { sql, orgId, treeSize } = opts;
  const out = new Map<string, Uint8Array>();
  const decomposed = opts.ranges.map((r) => {
    if (!Number.isSafeInteger(r.start) || !Number.isSafeInteger(r.end) || r.start < 0 || r.end > treeSize || r.start >= r.end) {
      throw new AppError("invalid_parameter", `range ${r.start}-${r.end} is not inside the tree of size ${treeSize}`, { field: "tree_size" });
    }
    return { range: r, subtrees: rangeToPerfectSubtrees(r.start, r.end) };
  });

  const nodes = new Map<string, Uint8Array>(); // "level:idx" → hash (stored or computed)
  const leaves = new Map<number, Uint8Array>(); // leaf index → leaf hash
  const askedNodes = new Set<string>();
  const askedLeaves = new Set<number>();
  const key = (level: number, idx: number) => `${level}:${idx}`;

  const resolve = (level: number, idx: number): Uint8Array | undefined => {
    const k = key(level, idx);
    const known = nodes.get(k);
    if (known) return known;
    if (level === 0) return leaves.get(idx);
    if (isStoredLevel(level) && !askedNodes.has(k)) return undefined; // ask for the stored row before descending
    const l = resolve(level - 1, 2 * idx);
    const r = l && resolve(level - 1, 2 * idx + 1);
    if (!l || !r) return undefined;
    const h = nodeHash(l, r);
    nodes.set(k, h);
    return h;
  };

  // What to fetch for a subtree not known yet. First wave: the stored levels and the leaves only.
  // Later waves (something was missing: a removed entry, a missing stored row): also the exact rows
  // of the levels in between, where retention keeps the subtrees over what it removed.
  const plan = (level: number, idx: number, firstWave: boolean, wantNodes: Map<string, [number, number]>, wantLeaves: Set<number>): void => {
    const k = key(level, idx);
    if (nodes.has(k)) return;
    if (level === 0) {
      if (!askedLeaves.has(idx)) wantLeaves.add(idx);
      else if (!askedNodes.has(k)) wantNodes.set(k, [0, idx]);
      return;
    }
    if (isStoredLevel(level)) {
      if (!askedNodes.has(k)) {
        wantNodes.set(k, [level, idx]);
        return;
      }
    } else if (!firstWave && !askedNodes.has(k)) {
      wantNodes.set(k, [level, idx]);
    }
    plan(level - 1, 2 * idx, firstWave, wantNodes, wantLeaves);
    plan(level - 1, 2 * idx + 1, firstWave, wantNodes, wantLeaves);
  };

  const all = decomposed.flatMap((d) => d.subtrees);
  for (let wave = 0; ; wave++) {
    const pending = all.filter((s) => !resolve(s.level, s.index));
    if (pending.length === 0) break;
    const wantNodes = new Map<string, [number, number]>();
    const wantLeaves = new Set<number>();
    for (const s of pending) plan(s.level, s.index, wave === 0, wantNodes, wantLeaves);
    if (wantNodes.size === 0 && wantLeaves.size === 0) {
      const s = pending[0]!;
      const from = s.index * 2 ** s.level;
      throw new AppError("gone", `the hash of entries ${from + 1}..${from + 2 ** s.level} is no longer available: retention removed entries it needs and no stored subtree covers them`);
    }
    const nodeList = [...wantNodes.values()];
    for (let i = 0; i < nodeList.length; i += CHUNK) {
      const part = nodeList.slice(i, i + CHUNK);
      const rows = await sql.query<{ level: number; idx: number; hash: Uint8Array }>(
        `SELECT n.level, n.idx, n.hash FROM audit_merkle_nodes n
         JOIN unnest($2::int[], $3::bigint[]) AS w(level, idx) ON n.level = w.level AND n.idx = w.idx
         WHERE n.org_id = $1`,
        [orgId, part.map((p) => p[0]), part.map((p) => p[1])],
      );
      for (const r of rows) nodes.set(key(Number(r.level), Number(r.idx)), new Uint8Array(r.hash));
    }
    for (const k of wantNodes.keys()) askedNodes.add(k);
    const leafList = [...wantLeaves];
    for (let i = 0; i < leafList.length; i += CHUNK) {
      const part = leafList.slice(i, i + CHUNK);
      const rows = await sql.query<{ seq: number; leaf: Uint8Array }>(
        `SELECT seq, ${LEAF_HASH_SQL} AS leaf FROM audit_events WHERE org_id = $1 AND seq = ANY($2::bigint[])`,
        [orgId, part.map((i) => i + 1)],
      );
      for (const r of rows) leaves.set(Number(r.seq) - 1, new Uint8Array(r.leaf));
    }
    for (const i of leafList) askedLeaves.add(i);
  }

  for (const d of decomposed) {
    out.set(rangeKey(d.range), hashFromPerfectSubtrees(d.subtrees.map((s) => resolve(s.level, s.index)!)));
  }
  return out;
}
