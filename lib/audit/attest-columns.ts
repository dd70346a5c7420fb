import type { SqlExecutor } from "../db/sql";
import { AppError } from "../errors";
import { loadLogSigner, type LogSigner } from "../integrity/load-log-signer";
import { signNote } from "../integrity/signed-note";

/**
 * Copied-column attestations (prisma/sql/column_attestations.sql). The note's text is
 *
 *   <origin>
 *   audit-trail columns v1
 *   <from_seq> <to_seq>
 *   <hex SHA-256 of the concatenated audit_columns_hash() of rows from_seq..to_seq, in seq order>
 */
export const COLUMNS_NOTE_HEADER = "audit-trail columns v1";

/** The SQL expression of one row's column hash (alias `e` = audit_events): the one declaration's call. */
export const COLUMNS_HASH_SQL = `audit_columns_hash(e.seq, e.id, e."timestamp", e.received_at, e.actor_id, e.actor_type, e.actor_email,
  e.action, e.resource_type, e.resource_id, e.repository_id, e.repository_name, e.search_vector)`;

export interface ColumnsStatement {
  origin: string;
  fromSeq: number;
  toSeq: number;
  digestHex: string;
}

export function formatColumnsNoteText(s: ColumnsStatement): string {
  return `${s.origin}\n${COLUMNS_NOTE_HEADER}\n${s.fromSeq} ${s.toSeq}\n${s.digestHex}\n`;
}

export function parseColumnsNoteText(text: string): ColumnsStatement | null {
  const m = /^([^\n]+)\naudit-trail columns v1\n(\d+) (\d+)\n([0-9a-f]{64})\n$/.exec(text);
  if (!m) return null;
  return { origin: m[1]!, fromSeq: Number(m[2]), toSeq: Number(m[3]), digestHex: m[4]! };
}

/**
 * Inside the ingest transaction, after the INSERT of entries fromSeq..toSeq (chain-head lock held):
 * hashes their copied columns in the database and stores the signed attestation. The columns were
 * derived from the content by appendEventsInTx in this same transaction.
 */
export async function attestColumns(opts: { tx: SqlExecutor; orgId: string; fromSeq: number; toSeq: number; signer?: LogSigner }): Promise<void> {
  if (process.env.AUDIT_BENCH_SKIP_CHECKPOINTS === "1") return; // bench only, as signCheckpoint
  const [row] = await opts.tx.query<{ digest: string; n: number; slug: string }>(
    `SELECT encode(sha256(string_agg(${COLUMNS_HASH_SQL}, ''::bytea ORDER BY e.seq)), 'hex') AS digest, count(*)::int8 AS n,
       (SELECT slug FROM orgs WHERE id = $1) AS slug
     FROM audit_events e WHERE e.org_id = $1 AND e.seq BETWEEN $2 AND $3`,
    [opts.orgId, opts.fromSeq, opts.toSeq],
  );
  if (!row || Number(row.n) !== opts.toSeq - opts.fromSeq + 1) {
    throw new AppError("internal_error", `attestColumns: entries ${opts.fromSeq}..${opts.toSeq} are not all there`);
  }
  const signer = opts.signer ?? loadLogSigner();
  const note = signNote({
    text: formatColumnsNoteText({ origin: signer.origin(row.slug), fromSeq: opts.fromSeq, toSeq: opts.toSeq, digestHex: row.digest }),
    signer: signer.signer,
  });
  await opts.tx.query(`INSERT INTO audit_column_attestations (org_id, from_seq, to_seq, note) VALUES ($1, $2, $3, $4)`, [opts.orgId, opts.fromSeq, opts.toSeq, note]);
}
