import type { SqlExecutor } from "../db/sql";

/**
 * Merkle leaf hashes of one org's entries (issue #9: leaf = SHA-256(0x00 ‖ UTF-8(content)), leaf
 * index = seq − 1), computed inside the database so only 32 bytes per entry cross the wire, in
 * keyset batches by seq. Yields each batch in seq order; `seq` lets the caller see gaps.
 */
export async function* readLeafHashes(opts: {
  sql: SqlExecutor;
  orgId: string;
  /** exclusive */
  afterSeq: number;
  /** inclusive */
  throughSeq: number;
  batch?: number;
}): AsyncGenerator<Array<{ seq: number; leaf: Uint8Array }>> {
  const batch = opts.batch ?? 10_000;
  let cursor = opts.afterSeq;
  while (cursor < opts.throughSeq) {
    const rows = await opts.sql.query<{ seq: number | string; leaf: Uint8Array }>(
      `SELECT seq, sha256('\\x00'::bytea || convert_to(content, 'UTF8')) AS leaf
       FROM audit_events WHERE org_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT ${batch}`,
      [opts.orgId, cursor, opts.throughSeq],
    );
    if (rows.length === 0) return;
    const out = rows.map((r) => ({ seq: Number(r.seq), leaf: r.leaf }));
    yield out;
    cursor = out[out.length - 1]!.seq;
    if (rows.length < batch) return;
  }
}
