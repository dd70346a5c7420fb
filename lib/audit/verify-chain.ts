import crypto from "node:crypto";
import type { SqlClient } from "../db/sql";
import { buildWhere, type EventFilter } from "./query-events";
import { formatTimestamp } from "./format-timestamp";

export interface ChainProblem {
  seq: number;
  id: string | null;
  problem: "hash_mismatch" | "broken_link" | "gap" | "missing_tail";
  message: string;
}

export interface VerifyResult {
  verified: boolean;
  logs_checked: number;
  chain_valid: boolean;
  hash_mismatches: number;
  gaps_detected: number;
  broken_links: number;
  verification_hash: string;
  verified_at: string;
  first_seq: number | null;
  last_seq: number | null;
  chain_head: { seq: number; hash: string | null };
  /** Where retention cut the chain (entries 1..seq removed; hash = that entry's hash), or null. */
  retention_cut: { seq: number; hash: string } | null;
  /** The first problems found, in seq order (at most 20). */
  problems: ChainProblem[];
}

const BATCH = 10_000;

/**
 * Recomputes every hash in range and checks every link (docs/integrity.md). The hash recipe runs
 * inside the database (its built-in sha256), in keyset batches by seq, so memory stays flat and
 * only the hashes cross the wire. Each entry is checked against its predecessor (seq-1), which may
 * lie outside the filtered range (then it is looked up). verification_hash = sha256 over the checked entries'
 * hashes joined by "\n", in seq order: two parties verifying the same range get the same value.
 */
export async function verifyChain(opts: { sql: SqlClient; orgId: string; filter: EventFilter; now?: Date }): Promise<VerifyResult> {
  const { where, params } = buildWhere(opts.orgId, opts.filter);
  const digest = crypto.createHash("sha256");
  const problems: ChainProblem[] = [];
  let checked = 0;
  let mismatches = 0;
  let gaps = 0;
  let links = 0;
  let first: number | null = null;
  let last: number | null = null;
  let cursor = 0;
  // A retention cut (lib/retention): entries 1..cut.seq were removed on purpose; the first remaining
  // entry must link to the recorded hash of entry cut.seq instead of to a stored predecessor.
  const cutRow = (await opts.sql.query<{ seq: number; hash: string }>(
    `SELECT cut_seq AS seq, cut_hash AS hash FROM audit_chain_cuts WHERE org_id = $1 ORDER BY cut_seq DESC LIMIT 1`,
    [opts.orgId],
  ))[0];
  const cut = cutRow ? { seq: Number(cutRow.seq), hash: cutRow.hash } : null;
  const note = (p: ChainProblem) => {
    if (problems.length < 20) problems.push(p);
  };
  let carry: { seq: number; hash: string } | null = null;
  for (;;) {
    // The hash is recomputed in SQL; the predecessor of each entry comes from lag() when the range is
    // contiguous there, from the previous batch, or from one lookup for the rest (filtered ranges).
    const rows = await opts.sql.query<{ seq: number; id: string; hash: string; previous_hash: string | null; hash_ok: boolean; lag_seq: number | null; lag_hash: string | null }>(
      `SELECT e.seq, e.id, e.hash, e.previous_hash,
         e.hash = 'sha256:' || encode(sha256(convert_to(coalesce(e.previous_hash, '') || e.content, 'UTF8')), 'hex') AS hash_ok,
         lag(e.seq) OVER w AS lag_seq, lag(e.hash) OVER w AS lag_hash
       FROM audit_events e
       WHERE ${where} AND e.seq > $${params.length + 1}
       WINDOW w AS (ORDER BY e.seq)
       ORDER BY e.seq LIMIT ${BATCH}`,
      [...params, cursor],
    );
    const preds = new Map<number, string>();
    if (carry) preds.set(carry.seq, carry.hash);
    for (const r of rows) if (r.lag_seq !== null && r.lag_hash !== null) preds.set(r.lag_seq, r.lag_hash);
    const missing = rows.filter((r) => r.seq > 1 && !preds.has(r.seq - 1)).map((r) => r.seq - 1);
    if (missing.length > 0) {
      const found = await opts.sql.query<{ seq: number; hash: string }>(
        `SELECT seq, hash FROM audit_events WHERE org_id = $1 AND seq = ANY($2::int8[])`,
        [opts.orgId, missing],
      );
      for (const f of found) preds.set(f.seq, f.hash);
    }
    for (const r of rows) {
      checked++;
      first ??= r.seq;
      last = r.seq;
      digest.update(checked === 1 ? r.hash : `\n${r.hash}`);
      if (!r.hash_ok) {
        mismatches++;
        note({ seq: r.seq, id: r.id, problem: "hash_mismatch", message: `entry ${r.seq} (${r.id}): its content does not hash to its stored hash` });
      }
      const pred = preds.get(r.seq - 1);
      if (r.seq === 1) {
        if (r.previous_hash !== null) {
          links++;
          note({ seq: r.seq, id: r.id, problem: "broken_link", message: `entry 1 (${r.id}): the first entry must have no previous_hash` });
        }
      } else if (pred === undefined && cut && r.seq === cut.seq + 1) {
        if (r.previous_hash !== cut.hash) {
          links++;
          note({ seq: r.seq, id: r.id, problem: "broken_link", message: `entry ${r.seq} (${r.id}): previous_hash does not match the recorded retention cut (hash of removed entry ${cut.seq})` });
        }
      } else if (pred === undefined) {
        gaps++;
        note({ seq: r.seq - 1, id: null, problem: "gap", message: `entry ${r.seq - 1} is missing (entry ${r.seq} follows a gap)` });
      } else if (r.previous_hash !== pred) {
        links++;
        note({ seq: r.seq, id: r.id, problem: "broken_link", message: `entry ${r.seq} (${r.id}): previous_hash does not match the hash of entry ${r.seq - 1}` });
      }
    }
    if (rows.length < BATCH) break;
    const lastRow = rows[rows.length - 1]!;
    cursor = lastRow.seq;
    carry = { seq: lastRow.seq, hash: lastRow.hash };
  }
  const head = (await opts.sql.query<{ seq: number; hash: string | null }>(`SELECT seq, hash FROM audit_chain_heads WHERE org_id = $1`, [opts.orgId]))[0] ?? {
    seq: 0,
    hash: null,
  };
  // The tail: the head says more entries exist than the table holds (checked when the range reaches the end).
  const unfiltered = Object.values(opts.filter).every((v) => v === undefined);
  if (unfiltered || !opts.filter.to) {
    const max = (await opts.sql.query<{ m: number | null }>(`SELECT max(seq)::int8 AS m FROM audit_events WHERE org_id = $1`, [opts.orgId]))[0]?.m ?? cut?.seq ?? 0;
    if (head.seq > max) {
      gaps++;
      note({ seq: max + 1, id: null, problem: "missing_tail", message: `entries ${max + 1}..${head.seq} are missing from the end of the chain` });
    }
  }
  problems.sort((a, b) => a.seq - b.seq);
  const chainValid = gaps === 0 && links === 0;
  return {
    verified: chainValid && mismatches === 0,
    logs_checked: checked,
    chain_valid: chainValid,
    hash_mismatches: mismatches,
    gaps_detected: gaps,
    broken_links: links,
    verification_hash: `sha256:${digest.digest("hex")}`,
    verified_at: formatTimestamp(opts.now ?? new Date()),
    first_seq: first,
    last_seq: last,
    chain_head: { seq: head.seq, hash: head.hash },
    retention_cut: cut,
    problems,
  };
}
