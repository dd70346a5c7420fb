import type { SqlExecutor } from "../db/sql";
import { AppError } from "../errors";
import { addSignatureLines } from "./note-format";

export interface StoredCheckpoint {
  treeSize: number;
  rootHash: Uint8Array;
  /** The signed note with every stored cosignature appended (C2SP signed-note: one signature line each). */
  note: string;
  createdAt: Date;
}

/**
 * The org's checkpoint of tree size `size` (default: the latest) as a signed note with its witness
 * cosignatures appended. 404 when the org has no checkpoint (of that size).
 */
export async function getCheckpoint(opts: { sql: SqlExecutor; orgId: string; size?: number }): Promise<string> {
  return (await getStoredCheckpoint(opts)).note;
}

export async function getStoredCheckpoint(opts: { sql: SqlExecutor; orgId: string; size?: number }): Promise<StoredCheckpoint> {
  const { sql, orgId, size } = opts;
  // The sub-select names the org as a parameter ($1), not c.org_id: Citus router-plans it to the
  // org's shard only then (a correlated s.org_id = c.org_id made it query every shard).
  const rows = await sql.query<{ tree_size: number; root_hash: Uint8Array; note: string; created_at: Date; lines: string[] | null }>(
    `SELECT c.tree_size, c.root_hash, c.note, c.created_at,
       (SELECT array_agg(s.line ORDER BY s.created_at, s.key_name, s.key_id) FROM audit_checkpoint_cosignatures s
         WHERE s.org_id = $1 AND s.tree_size = c.tree_size) AS lines
     FROM audit_checkpoints c
     WHERE c.org_id = $1 AND ($2::bigint IS NULL OR c.tree_size = $2::bigint)
     ORDER BY c.tree_size DESC LIMIT 1`,
    [orgId, size ?? null],
  );
  const row = rows[0];
  if (!row) {
    throw new AppError("not_found", size === undefined ? "this org has no checkpoint yet (one is signed with the first ingested entry)" : `no checkpoint of tree size ${size}`);
  }
  const lines = row.lines ?? [];
  return {
    treeSize: Number(row.tree_size),
    rootHash: new Uint8Array(row.root_hash),
    note: lines.length ? addSignatureLines(row.note, lines) : row.note,
    createdAt: new Date(row.created_at),
  };
}

/** The size of the org's latest checkpoint, or null before the first one. */
export async function getLatestTreeSize(opts: { sql: SqlExecutor; orgId: string }): Promise<number | null> {
  const rows = await opts.sql.query<{ n: number | null }>(`SELECT max(tree_size) AS n FROM audit_checkpoints WHERE org_id = $1`, [opts.orgId]);
  const n = rows[0]?.n;
  return n === null || n === undefined ? null : Number(n);
}

/**
 * The largest tree size a proof may be asked for: the latest checkpoint's. `field` names the request
 * parameter in the 400 when `size` exceeds it; 404 when there is no checkpoint yet.
 */
export async function requireSignedSize(opts: { sql: SqlExecutor; orgId: string; size: number; field: string }): Promise<void> {
  const latest = await getLatestTreeSize(opts);
  if (latest === null) throw new AppError("not_found", "this org has no checkpoint yet (one is signed with the first ingested entry)");
  if (opts.size > latest) {
    throw new AppError("invalid_parameter", `${opts.field}: ${opts.size} is beyond the log (latest checkpoint: tree size ${latest})`, { field: opts.field });
  }
}
