import type { SqlExecutor } from "../db/sql";
import { AppError } from "../errors";
import { COPIED_COLUMNS } from "./event-fields";
import { loadLogSigner, type LogSigner } from "../integrity/load-log-signer";
import { signNote } from "../integrity/signed-note";

/**
 * Copied-column attestations (prisma/definitions/functions/audit_columns_hash.sql, prisma/steps/column_attestations.sql). The note's text is
 *
 *   <origin>
 *   audit-trail columns v2
 *   <from_seq> <to_seq>
 *   <hex SHA-256 of the concatenated row hashes (COLUMNS_HASH_SQL) of rows from_seq..to_seq, in seq order>
 *   xmin <the rows' xmin: the id of the ingest transaction that wrote them> (or "xmin -")
 *
 * Any later change of a row by SQL (UPDATE with the guards off, ALTER TABLE … TYPE … USING, a
 * DELETE + re-INSERT, a restore) writes a new row version with another xmin, so verify compares the
 * rows' xmin (free: no column is read) with the signed one and re-checks only rows that differ;
 * `deep` verification recomputes the digest of every range instead.
 *
 * v1 (the SQL function audit_columns_hash, text serialisation) cost twice as much per row; its
 * attestations are treated as absent (those rows are checked field by field).
 */
export const COLUMNS_NOTE_HEADER = "audit-trail columns v2";

/** The columns of the v2 row hash, in order (a file format: frozen). */
const V2_COLUMNS = ["seq", "id", "timestamp", "received_at", "actor_id", "actor_type", "actor_email", "action", "resource_type", "resource_id", "repository_id", "repository_name"] as const;

/**
 * The SQL expression of one row's column hash (alias `e` = audit_events), used by ingest and verify:
 * SHA-256 of the binary form (record_send: per column its type, length and binary value — no
 * session setting involved, NULL distinct from any value) of the copied columns. The columns are the
 * field registry's (lib/audit/event-fields.ts): the v2 ones in one record with the search vector,
 * then each column added later (`late`) as a record of its name and value, only when it is not NULL
 * — so rows written before a column existed (all NULL there) keep the digest they were signed with,
 * and setting or clearing the value later changes it.
 */
export const COLUMNS_HASH_SQL = (() => {
  const q = (n: string) => (n === "timestamp" ? 'e."timestamp"' : `e.${n}`);
  const base = COPIED_COLUMNS.filter((c) => !c.late).map((c) => c.name);
  if (base.length !== V2_COLUMNS.length || !V2_COLUMNS.every((n) => base.includes(n))) {
    throw new Error(`attest-columns: the registry's copied columns (${base.join(", ")}) differ from the v2 row hash; mark new ones late`);
  }
  const late = COPIED_COLUMNS.filter((c) => c.late).map((c) => `CASE WHEN ${q(c.name)} IS NULL THEN ''::bytea ELSE record_send(ROW('${c.name}'::text, ${q(c.name)})) END`);
  return `sha256(record_send(ROW(${V2_COLUMNS.map(q).join(", ")}, e.search_vector))${late.map((l) => ` || ${l}`).join("")})`;
})();

export interface ColumnsStatement {
  origin: string;
  fromSeq: number;
  toSeq: number;
  digestHex: string;
  /** The 32-bit xmin all rows of the range had when attested; null when they did not share one. */
  xmin: number | null;
}

export function formatColumnsNoteText(s: ColumnsStatement): string {
  return `${s.origin}\n${COLUMNS_NOTE_HEADER}\n${s.fromSeq} ${s.toSeq}\n${s.digestHex}\nxmin ${s.xmin ?? "-"}\n`;
}

export function parseColumnsNoteText(text: string): ColumnsStatement | null {
  const m = /^([^\n]+)\naudit-trail columns v2\n(\d+) (\d+)\n([0-9a-f]{64})\nxmin (\d+|-)\n$/.exec(text);
  if (!m) return null;
  return { origin: m[1]!, fromSeq: Number(m[2]), toSeq: Number(m[3]), digestHex: m[4]!, xmin: m[5] === "-" ? null : Number(m[5]) };
}

/** Bench only (bench/integrity.bench.mts), as signCheckpoint: `AUDIT_BENCH_SKIP_CHECKPOINTS=1` skips attestations. */
export const columnAttestationsEnabled = (): boolean => process.env.AUDIT_BENCH_SKIP_CHECKPOINTS !== "1";

/** What an attestation signs, as the database computed it over the rows just written. */
export type ColumnsDigest = {
  digest: string;
  n: number;
  slug: string;
  xmin_lo: number;
  xmin_hi: number;
};

/**
 * One row {@link ColumnsDigest} over entries `from`..`to` of org `org` (SQL placeholders or
 * literals): a caller's statement that runs after the INSERT anyway can compute it too (ingest:
 * the chain head's UPDATE), saving attestColumns its own round trip.
 */
export const columnsDigestSql = (org: string, from: string, to: string): string =>
  `SELECT encode(sha256(string_agg(${COLUMNS_HASH_SQL}, ''::bytea ORDER BY e.seq)), 'hex') AS digest, count(*)::int8 AS n,
     min(e.xmin::text::int8) AS xmin_lo, max(e.xmin::text::int8) AS xmin_hi,
     (SELECT slug FROM orgs WHERE id = ${org}) AS slug
   FROM audit_events e WHERE e.org_id = ${org} AND e.seq BETWEEN ${from} AND ${to}`;

/**
 * Inside the ingest transaction, after the INSERT of entries fromSeq..toSeq (chain-head lock held):
 * hashes their copied columns in the database (or takes `digest`, computed by the caller's
 * statement with {@link columnsDigestSql} after the INSERT) and stores the signed attestation. The
 * columns were derived from the content by ingest in this same transaction.
 */
export async function attestColumns(opts: { tx: SqlExecutor; orgId: string; fromSeq: number; toSeq: number; digest?: ColumnsDigest; signer?: LogSigner }): Promise<void> {
  if (!columnAttestationsEnabled()) return;
  const row = opts.digest ?? (await opts.tx.query<ColumnsDigest>(columnsDigestSql("$1", "$2", "$3"), [opts.orgId, opts.fromSeq, opts.toSeq]))[0];
  if (!row || Number(row.n) !== opts.toSeq - opts.fromSeq + 1) {
    throw new AppError("internal_error", `attestColumns: entries ${opts.fromSeq}..${opts.toSeq} are not all there`);
  }
  const signer = opts.signer ?? loadLogSigner();
  const note = signNote({
    text: formatColumnsNoteText({
      origin: signer.origin(row.slug),
      fromSeq: opts.fromSeq,
      toSeq: opts.toSeq,
      digestHex: row.digest,
      xmin: Number(row.xmin_lo) === Number(row.xmin_hi) ? Number(row.xmin_lo) : null,
    }),
    signer: signer.signer,
  });
  await opts.tx.query(`INSERT INTO audit_column_attestations (org_id, from_seq, to_seq, note) VALUES ($1, $2, $3, $4)`, [opts.orgId, opts.fromSeq, opts.toSeq, note]);
}
