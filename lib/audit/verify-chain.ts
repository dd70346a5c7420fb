import crypto from "node:crypto";
import type { SqlClient, SqlExecutor, SqlParam } from "../db/sql";
import { parseCheckpoint } from "../integrity/checkpoint";
import { openCheckpoint } from "../integrity/open-checkpoint";
import { toHex } from "../integrity/encoding";
import { loadLogSigner } from "../integrity/load-log-signer";
import { extendFrontierPacked, frontierRoot, HASH_SIZE, type Frontier } from "../integrity/merkle";
import { readStoredFrontier } from "./read-stored-frontier";
import { openNote, parseVerifierKey, type NoteVerifier } from "../integrity/signed-note";
import { noteText, parseCutNoteText } from "../retention/cut-note";
import { COLUMNS_HASH_SQL, parseColumnsNoteText } from "./attest-columns";
import { COPIED_COLUMNS } from "./event-fields";
import { formatTimestamp } from "./format-timestamp";
import { buildWhere, type EventFilter } from "./query-events";
import type { ChainProblem, LogVerification, VerifyResult } from "./verify-schemas";

export type { ChainProblem, VerifyResult } from "./verify-schemas";

const BATCH = 10_000;
/** Per verify transaction: a window's rows are sorted and buffered in memory, never spilled to disk. */
const WORK_MEM = "32MB";
const MAX_PROBLEMS = 50;
/**
 * Signed notes already checked in this process (key: verifier key + SHA-256 of the note bytes →
 * the verified text, or null). Notes never change, and a changed one has another hash: a second
 * verification of a log with one checkpoint per ingest transaction costs no Ed25519 work for
 * what it saw before. The cache lives in the application's memory, not in the database.
 */
const verifiedNotes = new Map<string, string | null>();
const MAX_CACHED_NOTES = 200_000; // ~300 bytes each: at most ~60 MB

/** Rows per query of the slow path (content parsed as JSON, search vector rebuilt): ~100 µs each. */
const SLOW_BATCH = 2_000;

/** The key and origin the log's signed statements are checked with (default: the service's own). */
export interface LogKey {
  verifier: NoteVerifier | string;
  /** The org's checkpoint origin; default `<prefix>/<slug>` of the service's signer. */
  origin?: string;
}

/** One window of the fast path (aggText): the whole window in one row. */
type AggRow = {
  n: number;
  lo: number;
  hi: number;
  ok: boolean;
  first_prev: string | null;
  first_in_range: boolean;
  last_hash: string | null;
  n_in: number;
  lo_in: number | null;
  hi_in: number | null;
  hashes: string | null;
  leaves: Uint8Array;
  run_seqs: Array<number | string> | null;
  run_xmins: Array<number | string> | null;
  cols: Uint8Array | null;
};

/** A window checked by the database (`agg`, n entries), or one row per entry (slow path; empty: no entry). */
type Window = { agg: AggRow; n: number } | { rows: Row[] };

type Row = {
  seq: number;
  hash: string;
  hash_ok: boolean;
  /** previous_hash, sent only when the row does not follow its predecessor in the batch. */
  prev_if_first: string | null;
  link_ok: boolean | null;
  lag_seq: number | null;
  leaf: Uint8Array;
  xmin: number;
  cols: Uint8Array | null;
  in_range: boolean;
};

/**
 * Verifies one org's log (docs/integrity.md, "Verify through the API") in one REPEATABLE READ
 * snapshot, streaming every entry once in keyset batches by seq; the database computes per entry the
 * chain hash check, the Merkle leaf hash and the copied-column hash, so only ~150 bytes per entry
 * cross the wire. Checks:
 * - the hash chain (hash, links, gaps, missing tail) for the entries in `filter` — unchanged since issue #1;
 * - issue #9, always over the whole log: every copied query column against the signed column
 *   attestations (rows no attestation covers, and ranges that fail, are re-checked field by field by
 *   parsing their content); the Merkle tree recomputed from the entries (from the last valid cut note's
 *   frontier) against EVERY stored checkpoint, each checkpoint's signature, size, root and origin
 *   checked; tail truncation and head rollback against the latest valid checkpoint; entries no
 *   checkpoint covers; retention cuts without a valid signed cut note; disabled append-only guards.
 * Each problem names the seq (and id / field / checkpoint size) and what is wrong.
 */
export async function verifyChain(opts: {
  sql: SqlClient;
  orgId: string;
  filter: EventFilter;
  now?: Date;
  logKey?: LogKey;
  /** PostgreSQL only: extra connections reading windows of the same snapshot in parallel (0 on PGlite, one session). */
  parallel?: number;
  /** Recompute every attestation's column digest instead of trusting unchanged row versions (xmin). */
  deep?: boolean;
}): Promise<VerifyResult> {
  return opts.sql.transaction(async (tx) => {
    await tx.query(`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`);
    await tx.query(`SET LOCAL work_mem = '${WORK_MEM}'`);
    return withSnapshotWorkers(opts.sql, tx, opts.parallel ?? 0, (workers) => verifyInSnapshot({ ...opts, tx, workers }));
  });
}

/**
 * `n` more transactions on other connections that see exactly the snapshot of `tx`
 * (pg_export_snapshot / SET TRANSACTION SNAPSHOT), open while `fn` runs.
 */
async function withSnapshotWorkers<T>(sql: SqlClient, tx: SqlExecutor, n: number, fn: (workers: SqlExecutor[]) => Promise<T>): Promise<T> {
  if (n <= 0) return fn([]);
  const [row] = await tx.query<{ id: string }>(`SELECT pg_export_snapshot() AS id`);
  const id = row?.id ?? "";
  if (!/^[0-9A-Fa-f-]+$/.test(id)) throw new Error(`unexpected snapshot id ${id}`);
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  const ready: Array<Promise<SqlExecutor>> = [];
  const running: Array<Promise<void>> = [];
  for (let i = 0; i < n; i++) {
    let resolve!: (w: SqlExecutor) => void;
    let reject!: (e: unknown) => void;
    ready.push(new Promise<SqlExecutor>((res, rej) => ((resolve = res), (reject = rej))));
    running.push(
      sql
        .transaction(async (wtx) => {
          await wtx.query(`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`);
          await wtx.query(`SET TRANSACTION SNAPSHOT '${id}'`);
          await wtx.query(`SET LOCAL work_mem = '${WORK_MEM}'`);
          resolve(wtx);
          await done;
        })
        .catch((e: unknown) => reject(e)),
    );
  }
  try {
    return await fn(await Promise.all(ready));
  } finally {
    release();
    await Promise.allSettled(running);
  }
}

async function verifyInSnapshot(opts: { tx: SqlExecutor; workers: SqlExecutor[]; orgId: string; filter: EventFilter; now?: Date; logKey?: LogKey; deep?: boolean }): Promise<VerifyResult> {
  const { tx, orgId } = opts;
  const problems: ChainProblem[] = [];
  let problemCount = 0;
  const note = (p: ChainProblem) => {
    problemCount++;
    problems.push(p);
  };

  // --- the log's key and origin, and everything signed that the log holds -------------------------
  const [meta] = await tx.query<{ slug: string | null; head_seq: number | null; head_hash: string | null; tree_size: number | null; max_seq: number | null; min_seq: number | null }>(
    `SELECT o.slug, h.seq AS head_seq, h.hash AS head_hash, h.tree_size,
       (SELECT max(seq) FROM audit_events WHERE org_id = $1) AS max_seq, (SELECT min(seq) FROM audit_events WHERE org_id = $1) AS min_seq
     FROM orgs o LEFT JOIN audit_chain_heads h ON h.org_id = o.id WHERE o.id = $1`,
    [orgId],
  );
  const headSeq = Number(meta?.head_seq ?? 0);
  const maxSeq = meta?.max_seq === null || meta?.max_seq === undefined ? 0 : Number(meta.max_seq);
  const signer = opts.logKey ? null : loadLogSigner();
  const verifier = opts.logKey ? (typeof opts.logKey.verifier === "string" ? parseVerifierKey(opts.logKey.verifier) : opts.logKey.verifier) : parseVerifierKey(signer!.vkey);
  const origin = opts.logKey?.origin ?? (signer ? signer.origin(meta?.slug ?? orgId) : `${verifier.name}/${meta?.slug ?? orgId}`);
  const signedText = (n: string): string | null => {
    const key = `${verifier.vkey}\n${crypto.createHash("sha256").update(n).digest("base64")}`;
    const known = verifiedNotes.get(key);
    if (known !== undefined) return known;
    let text: string | null = null;
    try {
      const opened = openNote({ note: n, verifiers: [verifier] });
      const ok = opened.signatures.some((s) => s.verified) && !opened.signatures.some((s) => s.kind !== "unknown" && !s.verified);
      text = ok ? opened.text : null;
    } catch {
      text = null;
    }
    if (verifiedNotes.size >= MAX_CACHED_NOTES) verifiedNotes.clear();
    verifiedNotes.set(key, text);
    return text;
  };

  const [cutRows, cpRows, attRows, guards] = [
    await tx.query<{ cut_seq: number; cut_hash: string; note: string | null }>(`SELECT cut_seq, cut_hash, note FROM audit_chain_cuts WHERE org_id = $1 ORDER BY cut_seq`, [orgId]),
    await tx.query<{ tree_size: number; root_hash: Uint8Array; note: string }>(`SELECT tree_size, root_hash, note FROM audit_checkpoints WHERE org_id = $1 ORDER BY tree_size`, [orgId]),
    await tx.query<{ from_seq: number; to_seq: number; note: string }>(`SELECT from_seq, to_seq, note FROM audit_column_attestations WHERE org_id = $1 ORDER BY to_seq`, [orgId]),
    await tx.query<{ n: number }>(
      `SELECT count(*)::int8 AS n FROM pg_trigger WHERE tgrelid = 'public.audit_events'::regclass AND tgenabled = 'A'
         AND tgname IN ('audit_events_no_update_delete', 'audit_events_no_truncate')`,
    ),
  ];

  // Retention cuts: each must be covered by a signed statement — its cut note, signed by the log key
  // and naming it, or the `retention.enforced` entry the service appended with it (that entry is in
  // the signed tree, which the replay below checks; cuts made before issue #9 have only that).
  let cutsInvalid = 0;
  let treeStart: { size: number; frontier: Frontier | null } = { size: 0, frontier: [] };
  for (const c of cutRows) {
    const seq = Number(c.cut_seq);
    const text = c.note ? signedText(c.note) : null;
    const st = text ? parseCutNoteText(text) : null;
    const signed = st !== null && st.cutSeq === seq && st.cutHash === c.cut_hash && st.origin === origin;
    const recorded =
      signed ||
      (
        await tx.query(
          `SELECT 1 FROM audit_events WHERE org_id = $1 AND action = 'retention.enforced'
             AND content::jsonb #>> '{details,through_seq}' = $2 AND content::jsonb #>> '{details,cut_hash}' = $3 LIMIT 1`,
          [orgId, String(seq), c.cut_hash],
        )
      ).length > 0;
    if (!signed && !recorded) {
      cutsInvalid++;
      note({
        seq,
        id: null,
        problem: "cut_unsigned",
        message: `the retention cut through entry ${seq} is covered by no signed statement (${c.note ? "its note does not verify or does not name this cut" : "it has no cut note"}, and no retention.enforced entry names it): entries 1..${seq} may have been removed by someone else`,
      });
    }
    treeStart = { size: seq, frontier: signed && st.frontier ? st.frontier : recorded ? await readStoredFrontier({ sql: tx, orgId, size: seq }) : null };
  }
  const lastCut = cutRows.length ? { seq: Number(cutRows[cutRows.length - 1]!.cut_seq), hash: cutRows[cutRows.length - 1]!.cut_hash } : null;

  // Checkpoints: signature by the log key, origin, and the stored size/root equal to the signed ones.
  let cpInvalid = 0;
  const checkpoints: Array<{ size: number; root: Uint8Array }> = [];
  for (const r of cpRows) {
    const size = Number(r.tree_size);
    try {
      // the signature through the cache; openCheckpoint (which says precisely what is wrong) only when it fails
      const text = signedText(r.note);
      const checkpoint = text ? parseCheckpoint(text) : openCheckpoint({ note: r.note, logKey: verifier, origin }).checkpoint;
      if (checkpoint.origin !== origin) throw new Error(`origin is "${checkpoint.origin}", expected "${origin}"`);
      if (checkpoint.size !== size) throw new Error(`it is stored as size ${size} but signs size ${checkpoint.size}`);
      if (toHex(checkpoint.rootHash) !== toHex(r.root_hash)) throw new Error("its stored root differs from the signed root");
      checkpoints.push({ size, root: checkpoint.rootHash });
    } catch (e) {
      cpInvalid++;
      note({ seq: size, id: null, problem: "checkpoint_invalid", checkpoint_size: size, message: `checkpoint of size ${size} is not valid: ${(e as Error).message}` });
    }
  }
  const latest = checkpoints.length ? checkpoints[checkpoints.length - 1]! : null;

  // Column attestations: signature, origin, and the range they name.
  let attInvalid = 0;
  const attestations: Array<{ from: number; to: number; digest: string; xmin: number | null }> = [];
  for (const a of attRows) {
    const text = signedText(a.note);
    if (text?.includes("\naudit-trail columns v1\n")) continue; // the first format: those rows are checked field by field
    const st = text ? parseColumnsNoteText(text) : null;
    if (!st || st.fromSeq !== Number(a.from_seq) || st.toSeq !== Number(a.to_seq) || st.origin !== origin) {
      attInvalid++;
      note({ seq: Number(a.from_seq), id: null, problem: "attestation_invalid", message: `the column attestation of entries ${a.from_seq}..${a.to_seq} does not verify with the log key` });
      continue;
    }
    attestations.push({ from: st.fromSeq, to: st.toSeq, digest: st.digestHex, xmin: st.xmin });
  }

  const guardsOk = Number(guards[0]?.n ?? 0) === 2;
  if (!guardsOk) {
    note({ seq: 0, id: null, problem: "guard_disabled", message: "the append-only triggers of audit_events are missing or not ENABLE ALWAYS (an ALTER TABLE changed them)" });
  }

  // --- one pass over every entry ------------------------------------------------------------------
  const unfiltered = !opts.filter.where && !opts.filter.textSearch && !opts.filter.from && !opts.filter.to;
  const { where, params } = buildWhere(orgId, opts.filter);
  const inRange = unfiltered ? "true" : `(${where})`;
  const rangeParams: SqlParam[] = unfiltered ? [orgId] : params;
  const cursorParam = `$${rangeParams.length + 1}`;
  const window = `e.org_id = $1 AND e.seq > ${cursorParam} AND e.seq <= ${cursorParam} + ${BATCH}`;
  const hashOk = `e.hash = 'sha256:' || encode(sha256(convert_to(coalesce(e.previous_hash, '') || e.content, 'UTF8')), 'hex')`;
  const colsHash = opts.deep ? COLUMNS_HASH_SQL : "NULL::bytea";
  // The fast path: one row per window. The database checks every entry of the window (hash, link to
  // its predecessor in the window, no gap) and sends only the aggregate: the leaf hashes packed
  // (32 bytes each, in seq order), the in-range hashes joined by "\n" (the verification hash), the
  // first entry's previous_hash (its link to the window before), the last entry's hash, and the
  // entries' row versions run-length encoded (xmin changes once per ingest transaction). A NULL
  // anywhere in a check (a NOT NULL dropped by ALTER TABLE) counts as a failure. No object
  // per entry is made on either side (issue 9: ≥ 200 000 entries/s). The hashes are computed below
  // the window function, so that it buffers small rows (not the contents), and the aggregates take
  // the rows in the window's seq order without an ORDER BY of their own (which costs PostgreSQL 15 a
  // sort per aggregate): were the order ever different, the recomputed roots would not match the
  // signed ones — a false alarm, never a false pass (the links are checked in the window, in order).
  const aggText = `SELECT count(*)::int8 AS n, min(r.seq) AS lo, max(r.seq) AS hi, bool_and(coalesce(r.ok, false)) AS ok,
      min(r.previous_hash) FILTER (WHERE r.lag_seq IS NULL) AS first_prev,
      coalesce(bool_or(r.in_range) FILTER (WHERE r.lag_seq IS NULL), false) AS first_in_range,
      min(r.hash) FILTER (WHERE r.lead_seq IS NULL) AS last_hash,
      count(*) FILTER (WHERE r.in_range)::int8 AS n_in, min(r.seq) FILTER (WHERE r.in_range) AS lo_in, max(r.seq) FILTER (WHERE r.in_range) AS hi_in,
      string_agg(r.hash, E'\\n') FILTER (WHERE r.in_range) AS hashes,
      string_agg(r.leaf, ''::bytea) AS leaves,
      array_agg(r.seq) FILTER (WHERE r.xmin_start) AS run_seqs,
      array_agg(r.xmin) FILTER (WHERE r.xmin_start) AS run_xmins,
      ${opts.deep ? "string_agg(r.cols, ''::bytea)" : "NULL::bytea"} AS cols
    FROM (SELECT x.*,
        x.hash_ok AND (lag(x.seq) OVER w IS NULL OR (lag(x.seq) OVER w = x.seq - 1 AND x.previous_hash IS NOT DISTINCT FROM lag(x.hash) OVER w)) AS ok,
        lag(x.seq) OVER w AS lag_seq, lead(x.seq) OVER w AS lead_seq, x.xmin IS DISTINCT FROM lag(x.xmin) OVER w AS xmin_start
      FROM (SELECT e.seq, e.hash, e.previous_hash, ${hashOk} AS hash_ok, sha256('\\x00'::bytea || convert_to(e.content, 'UTF8')) AS leaf,
          e.xmin::text::int8 AS xmin, ${colsHash} AS cols, ${inRange} AS in_range
        FROM audit_events e
        WHERE ${window}
        ORDER BY e.seq OFFSET 0) x
      WINDOW w AS (ORDER BY x.seq)) r`;
  // The slow path, for a window the fast path found anything wrong in (or a gap): one row per entry.
  const text = `SELECT e.seq, e.hash, ${hashOk} AS hash_ok,
      CASE WHEN lag(e.seq) OVER w IS DISTINCT FROM e.seq - 1 THEN e.previous_hash END AS prev_if_first,
      e.previous_hash IS NOT DISTINCT FROM lag(e.hash) OVER w AS link_ok, lag(e.seq) OVER w AS lag_seq,
      sha256('\\x00'::bytea || convert_to(e.content, 'UTF8')) AS leaf,
      e.xmin::text::int8 AS xmin, ${colsHash} AS cols,
      ${inRange} AS in_range
    FROM audit_events e
    WHERE ${window}
    WINDOW w AS (ORDER BY e.seq)
    ORDER BY e.seq`;
  // Seq windows (cursor, cursor + BATCH]: each query touches at most BATCH rows whatever plan the
  // statistics suggest, and the next window can be asked for before this one is checked.
  const executors = [tx, ...opts.workers];
  let turn = 0;
  const fetch = async (cursor: number): Promise<Window> => {
    const ex = executors[turn++ % executors.length]!;
    const [agg] = await ex.query<AggRow>(aggText, [...rangeParams, cursor]);
    const n = Number(agg?.n ?? 0);
    if (n === 0) return { rows: [] };
    if (agg!.ok && Number(agg!.hi) - Number(agg!.lo) + 1 === n) return { agg: agg!, n };
    return { rows: await ex.query<Row>(text, [...rangeParams, cursor]) };
  };
  const nextCursor = async (after: number): Promise<number | null> => {
    if (after >= maxSeq) return null;
    const [r] = await tx.query<{ s: number | null }>(`SELECT min(seq) AS s FROM audit_events WHERE org_id = $1 AND seq > $2`, [orgId, after]);
    return r?.s === null || r?.s === undefined ? null : Number(r.s) - 1; // skip an empty stretch (a forged far-away seq)
  };

  const digest = crypto.createHash("sha256");
  let checked = 0;
  let mismatches = 0;
  let gaps = 0;
  let links = 0;
  let first: number | null = null;
  let last: number | null = null;

  const tree = new TreeReplay(treeStart, checkpoints, note);
  const cols = new ColumnCheck(attestations, opts.deep === true);
  let prevRow: { seq: number; hash: string } | null = null;
  /** The link of an in-range entry to its predecessor (linkOk null: the predecessor is not there). */
  const checkLink = (seq: number, linkOk: boolean | null, prevIfFirst: string | null) => {
    if (seq === 1) {
      if (prevIfFirst !== null) {
        links++;
        note({ seq, id: null, problem: "broken_link", message: `entry 1: the first entry must have no previous_hash` });
      }
    } else if (linkOk === null && lastCut && seq === lastCut.seq + 1) {
      if (prevIfFirst !== lastCut.hash) {
        links++;
        note({ seq, id: null, problem: "broken_link", message: `entry ${seq}: previous_hash does not match the recorded retention cut (hash of removed entry ${lastCut.seq})` });
      }
    } else if (linkOk === null) {
      gaps++;
      note({ seq: seq - 1, id: null, problem: "gap", message: `entry ${seq - 1} is missing (entry ${seq} follows a gap)` });
    } else if (!linkOk) {
      links++;
      note({ seq, id: null, problem: "broken_link", message: `entry ${seq}: previous_hash does not match the hash of entry ${seq - 1}` });
    }
  };
  // Windows are asked for ahead, one per connection, and checked in order.
  let nextStart: number | null = await nextCursor(0);
  const queue: Array<Promise<Window>> = [];
  const fill = () => {
    while (queue.length < executors.length && nextStart !== null) {
      queue.push(fetch(nextStart));
      nextStart = nextStart + BATCH < maxSeq ? nextStart + BATCH : null;
    }
  };
  const isEmpty = (w: Window) => "rows" in w && w.rows.length === 0;
  const windows = async function* (): AsyncGenerator<Window> {
    fill();
    while (queue.length > 0) {
      const w = await queue.shift()!;
      yield w;
      if (isEmpty(w)) {
        // an empty stretch (a forged far-away seq): finish what is asked for, then jump to the next stored seq
        let empty = true;
        while (queue.length > 0) {
          const more = await queue.shift()!;
          if (!isEmpty(more)) empty = false;
          yield more;
        }
        if (empty && nextStart !== null) nextStart = await nextCursor(nextStart);
      }
      fill();
    }
  };
  for await (const w of windows()) {
    if ("agg" in w) {
      // Every entry of the window is contiguous, hashes right and links to its predecessor in the
      // window: only the first entry's link (to the window before) is left to check.
      const a = w.agg;
      const lo = Number(a.lo);
      const hi = Number(a.hi);
      const follows = prevRow !== null && prevRow.seq === lo - 1;
      if (a.first_in_range) checkLink(lo, follows ? a.first_prev === prevRow!.hash : null, a.first_prev);
      const nIn = Number(a.n_in);
      if (nIn > 0) {
        digest.update(checked === 0 ? a.hashes! : `\n${a.hashes!}`);
        checked += nIn;
        first ??= Number(a.lo_in);
        last = Number(a.hi_in);
      }
      if (a.leaves.length !== w.n * HASH_SIZE) throw new Error(`verify: window ${lo}..${hi} sent ${a.leaves.length} bytes of leaf hashes for ${w.n} entries`);
      tree.addRun(lo, w.n, a.leaves);
      const runSeqs = (a.run_seqs ?? []).map(Number);
      const runXmins = (a.run_xmins ?? []).map(Number);
      for (let k = 0, run = 0; k < w.n; k++) {
        const seq = lo + k;
        while (run + 1 < runSeqs.length && runSeqs[run + 1]! <= seq) run++;
        cols.add(seq, runXmins[run]!, a.cols ? a.cols.subarray(k * HASH_SIZE, (k + 1) * HASH_SIZE) : null);
      }
      prevRow = { seq: hi, hash: a.last_hash! };
      continue;
    }
    const leaves: Array<{ seq: number; leaf: Uint8Array }> = [];
    for (const r of w.rows) {
      const seq = Number(r.seq);
      const follows = prevRow !== null && prevRow.seq === seq - 1;
      // previous_hash as stored: in this batch it is only sent when the row does not follow its predecessor.
      const linkOk = r.lag_seq !== null && Number(r.lag_seq) === seq - 1 ? r.link_ok === true : follows ? r.prev_if_first === prevRow!.hash : null;
      if (r.in_range) {
        checked++;
        first ??= seq;
        last = seq;
        digest.update(checked === 1 ? r.hash : `\n${r.hash}`);
        if (!r.hash_ok) {
          mismatches++;
          note({ seq, id: null, problem: "hash_mismatch", message: `entry ${seq}: its content does not hash to its stored hash` });
        }
        checkLink(seq, linkOk, r.prev_if_first);
      }
      leaves.push({ seq, leaf: r.leaf });
      cols.add(seq, Number(r.xmin), r.cols);
      prevRow = { seq, hash: r.hash };
    }
    tree.add(leaves);
  }

  // --- copied columns: ranges that failed their attestation, and rows none covers, field by field -
  cols.finish();
  let columnMismatches = 0;
  for (const range of [...cols.failed, ...cols.partial, ...cols.changed, ...cols.unattested]) {
    const found: Awaited<ReturnType<typeof columnMismatchesIn>> = [];
    for (let from = range.from; from <= range.to; from += SLOW_BATCH) {
      found.push(...(await columnMismatchesIn(tx, orgId, from, Math.min(range.to, from + SLOW_BATCH - 1))));
    }
    for (const m of found) {
      columnMismatches++;
      note({ seq: m.seq, id: m.id, problem: "column_mismatch", field: m.field, message: `entry ${m.seq} (${m.id}): column ${m.field} does not match the content` });
    }
    if (found.length === 0 && cols.failed.includes(range)) {
      columnMismatches++;
      note({
        seq: range.from,
        id: null,
        problem: "column_mismatch",
        field: "unknown",
        message: `entries ${range.from}..${range.to}: their copied columns do not match the signed attestation (a row was added, removed or changed)`,
      });
    }
  }

  // --- the tree against the latest checkpoint: truncation, rollback, uncovered entries -------------
  const treeResult = tree.finish();
  let truncated = 0;
  let uncovered = 0;
  let rollback = false;
  if (latest) {
    if (maxSeq < latest.size) {
      truncated = latest.size - Math.max(maxSeq, lastCut?.seq ?? 0);
      note({ seq: maxSeq + 1, id: null, problem: "truncated", checkpoint_size: latest.size, message: `the signed checkpoint of size ${latest.size} covers entries up to ${latest.size}, but the table ends at ${maxSeq}: entries ${maxSeq + 1}..${latest.size} were removed` });
    }
    if (headSeq < latest.size || Number(meta?.tree_size ?? 0) < latest.size) {
      rollback = true;
      note({ seq: headSeq + 1, id: null, problem: "head_rollback", checkpoint_size: latest.size, message: `the chain head (seq ${headSeq}, tree size ${meta?.tree_size ?? 0}) is behind the signed checkpoint of size ${latest.size}: it was moved back` });
    }
  }
  const coveredTo = Math.max(latest?.size ?? 0, lastCut?.seq ?? 0);
  if (maxSeq > coveredTo) {
    uncovered = maxSeq - coveredTo;
    note({ seq: coveredTo + 1, id: null, problem: "uncovered", message: `entries ${coveredTo + 1}..${maxSeq} are covered by no signed checkpoint: they were not written by ingest (a plain INSERT)` });
  }
  // The tail: the head says more entries exist than the table holds.
  const max = maxSeq || lastCut?.seq || 0;
  if (headSeq > max && (unfiltered || !opts.filter.to)) {
    gaps++;
    note({ seq: max + 1, id: null, problem: "missing_tail", message: `entries ${max + 1}..${headSeq} are missing from the end of the chain` });
  }

  // Ids for the problems that name an entry, then the first MAX_PROBLEMS in seq order.
  problems.sort((a, b) => a.seq - b.seq || a.problem.localeCompare(b.problem));
  const shown = problems.slice(0, MAX_PROBLEMS);
  const needIds = [...new Set(shown.filter((p) => p.id === null && entryProblems.has(p.problem)).map((p) => p.seq))];
  if (needIds.length) {
    const ids = new Map((await tx.query<{ seq: number; id: string }>(`SELECT seq, id FROM audit_events WHERE org_id = $1 AND seq = ANY($2::int8[])`, [orgId, needIds])).map((r) => [Number(r.seq), r.id]));
    for (const p of shown) {
      const id = entryProblems.has(p.problem) ? ids.get(p.seq) : undefined;
      if (p.id === null && id) {
        p.id = id;
        p.message = p.message.replace(`entry ${p.seq}`, `entry ${p.seq} (${id})`);
      }
    }
  }

  const log: LogVerification = {
    key: verifier.vkey,
    origin,
    tree_size: treeResult.size,
    root_hash: treeResult.root ? toHex(treeResult.root) : null,
    latest_checkpoint: latest ? { tree_size: latest.size, root_hash: toHex(latest.root) } : null,
    checkpoints: cpRows.length,
    checkpoints_checked: treeResult.checked,
    checkpoints_invalid: cpInvalid,
    root_mismatches: treeResult.mismatches,
    uncovered_entries: uncovered,
    truncated_entries: truncated,
    head_rollback: rollback,
    cuts_invalid: cutsInvalid,
    attestations: attRows.length,
    attestations_invalid: attInvalid,
    unattested_entries: cols.unattested.reduce((n, r) => n + (r.to - r.from + 1), 0),
    guards_ok: guardsOk,
  };
  const chainValid = gaps === 0 && links === 0;
  return {
    verified: problemCount === 0,
    logs_checked: checked,
    chain_valid: chainValid,
    hash_mismatches: mismatches,
    gaps_detected: gaps,
    broken_links: links,
    column_mismatches: columnMismatches,
    verification_hash: `sha256:${digest.digest("hex")}`,
    verified_at: formatTimestamp(opts.now ?? new Date()),
    first_seq: first,
    last_seq: last,
    chain_head: { seq: headSeq, hash: meta?.head_hash ?? null },
    retention_cut: lastCut,
    log,
    problem_count: problemCount,
    problems: shown,
  };
}

const entryProblems = new Set<ChainProblem["problem"]>(["hash_mismatch", "broken_link", "column_mismatch"]);

/**
 * The Merkle tree replayed from the entries in seq order, starting from the last valid cut's
 * frontier, compared with every valid checkpoint at its size.
 */
class TreeReplay {
  private size: number;
  private frontier: Frontier | null;
  private next = 0;
  checked = 0;
  mismatches = 0;
  private lastGood: number;

  constructor(
    start: { size: number; frontier: Frontier | null },
    private readonly checkpoints: Array<{ size: number; root: Uint8Array }>,
    private readonly note: (p: ChainProblem) => void,
  ) {
    this.size = start.size;
    this.frontier = start.frontier;
    this.lastGood = start.size;
    if (start.frontier === null && start.size > 0) {
      note({ seq: start.size + 1, id: null, problem: "tree_incomplete", message: `the Merkle tree cannot be recomputed: the retention cut through entry ${start.size} has no valid signed frontier; no checkpoint is checked` });
    }
    // Checkpoints before the tree's start cannot be recomputed (their entries are gone); one exactly
    // at the start is compared with the cut note's frontier.
    while (this.next < checkpoints.length && checkpoints[this.next]!.size < this.size) this.next++;
    this.compareAtSize();
  }

  private compareAtSize(): void {
    while (this.frontier && this.next < this.checkpoints.length && this.checkpoints[this.next]!.size === this.size) {
      const cp = this.checkpoints[this.next++]!;
      this.checked++;
      const root = frontierRoot(this.frontier);
      if (Buffer.compare(Buffer.from(root), Buffer.from(cp.root)) !== 0) {
        this.mismatches++;
        if (this.mismatches === 1) {
          this.note({
            seq: this.lastGood + 1,
            id: null,
            problem: "root_mismatch",
            checkpoint_size: cp.size,
            message: `entries 1..${cp.size} do not give the root of the signed checkpoint of size ${cp.size} (the one before, size ${this.lastGood}, matches): an entry in ${this.lastGood + 1}..${cp.size} was changed, replaced, removed, inserted or renumbered, even if its chain hashes were rewritten`,
          });
        }
      } else if (this.mismatches === 0) {
        this.lastGood = cp.size;
      }
    }
  }

  /** Leaves in seq order (gaps allowed): each contiguous run in turn. */
  add(leaves: Array<{ seq: number; leaf: Uint8Array }>): void {
    let i = 0;
    while (i < leaves.length && this.frontier) {
      let j = i + 1;
      while (j < leaves.length && leaves[j]!.seq === leaves[j - 1]!.seq + 1) j++;
      const packed = new Uint8Array((j - i) * HASH_SIZE);
      for (let k = i; k < j; k++) {
        const leaf = leaves[k]!.leaf;
        if (leaf.length !== HASH_SIZE) throw new Error(`verify: entry ${leaves[k]!.seq}: a leaf hash of ${leaf.length} bytes`);
        packed.set(leaf, (k - i) * HASH_SIZE);
      }
      this.addRun(leaves[i]!.seq, j - i, packed);
      i = j;
    }
  }

  /** `count` leaves of the entries firstSeq, firstSeq + 1, … (no gap), packed 32 bytes each. */
  addRun(firstSeq: number, count: number, packed: Uint8Array): void {
    let i = 0;
    while (i < count && this.frontier) {
      const seq = firstSeq + i;
      if (seq <= this.size) {
        i = this.size - firstSeq + 1; // entries at or before the cut (a cut that was not made by the purge): the chain check reports them
        continue;
      }
      if (seq !== this.size + 1) {
        this.note({ seq: this.size + 1, id: null, problem: "tree_incomplete", message: `the Merkle tree cannot be recomputed past entry ${this.size}: entry ${this.size + 1} is missing; later checkpoints are not checked` });
        this.frontier = null;
        return;
      }
      // Extend up to the next checkpoint size (or the end of the run).
      const stop = this.next < this.checkpoints.length ? this.checkpoints[this.next]!.size : Infinity;
      const take = Math.min(count - i, stop - this.size);
      if (take <= 0) return;
      const ext = extendFrontierPacked({ frontier: this.frontier, size: this.size, packed, offset: i * HASH_SIZE, count: take });
      this.frontier = ext.frontier;
      this.size = ext.size;
      this.compareAtSize();
      i += take;
    }
  }

  finish(): { size: number; root: Uint8Array | null; checked: number; mismatches: number } {
    return { size: this.size, root: this.frontier ? frontierRoot(this.frontier) : null, checked: this.checked, mismatches: this.mismatches };
  }
}

/**
 * The copied columns against the signed attestations. By default a row counts as unchanged when its
 * xmin is the attested one (any SQL change writes a new row version with another xmin); rows that
 * differ are re-checked field by field. `deep`: every range's digest of the column hashes is
 * recomputed and compared (a range that fails is re-checked field by field).
 */
class ColumnCheck {
  private i = 0;
  private current: { from: number; to: number; digest: string; xmin: number | null; hash: crypto.Hash | null; expect: number } | null = null;
  failed: Array<{ from: number; to: number }> = [];
  partial: Array<{ from: number; to: number }> = [];
  unattested: Array<{ from: number; to: number }> = [];
  changed: Array<{ from: number; to: number }> = [];

  constructor(
    private readonly attestations: Array<{ from: number; to: number; digest: string; xmin: number | null }>,
    private readonly deep: boolean,
  ) {}

  private static push(list: Array<{ from: number; to: number }>, seq: number): void {
    const u = list[list.length - 1];
    if (u && u.to === seq - 1) u.to = seq;
    else list.push({ from: seq, to: seq });
  }

  add(seq: number, xmin: number, rowHash: Uint8Array | null): void {
    if (this.current && seq > this.current.to) this.close();
    // Attestations whose rows are all gone (before a retention cut): nothing left to compare.
    while (!this.current && this.i < this.attestations.length && this.attestations[this.i]!.to < seq) this.i++;
    if (!this.current && this.i < this.attestations.length && this.attestations[this.i]!.from <= seq) {
      const a = this.attestations[this.i++]!;
      this.current = { ...a, hash: this.deep ? crypto.createHash("sha256") : null, expect: a.from };
    }
    const c = this.current;
    if (c && seq >= c.from) {
      if (seq !== c.expect) c.expect = -1; // a missing row inside the range
      else c.expect++;
      if (c.hash && rowHash) c.hash.update(rowHash);
      if (!this.deep && (c.xmin === null || xmin !== c.xmin)) ColumnCheck.push(this.changed, seq);
      if (seq === c.to) this.close();
      return;
    }
    ColumnCheck.push(this.unattested, seq);
  }

  private close(): void {
    const c = this.current!;
    this.current = null;
    if (!this.deep) return;
    if (c.expect !== c.to + 1) {
      // rows missing inside the range (reported as gaps) or it started before a cut: what is there is checked field by field
      this.partial.push({ from: c.from, to: c.to });
      return;
    }
    if (c.hash!.digest("hex") !== c.digest) this.failed.push({ from: c.from, to: c.to });
  }

  finish(): void {
    if (this.current) this.close();
  }
}

/** The slow path: the copied columns (the field registry's) of entries from..to recomputed from their parsed content. */
async function columnMismatchesIn(tx: SqlExecutor, orgId: string, from: number, to: number): Promise<Array<{ seq: number; id: string; field: string }>> {
  const ts = (col: string) =>
    `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') || CASE WHEN to_char(${col} AT TIME ZONE 'UTC', 'MS') = '000' THEN '' ELSE '.' || to_char(${col} AT TIME ZONE 'UTC', 'MS') END || 'Z'`;
  const rows = await tx.query<{ seq: number; id: string; fields: string[] }>(
    `SELECT e.seq, e.id, array_remove(ARRAY[
       ${COPIED_COLUMNS.map((c) => {
         const col = c.name === "timestamp" ? 'e."timestamp"' : `e.${c.name}`;
         const path = `'{${c.path.join(",")}}'`;
         const differs =
           c.compare === "bigint" ? `c #> ${path} IS DISTINCT FROM to_jsonb(${col})` : c.compare === "timestamp" ? `c #>> ${path} IS DISTINCT FROM ${ts(col)}` : `c #>> ${path} IS DISTINCT FROM ${col}`;
         return `CASE WHEN ${differs} THEN '${c.name}' END,`;
       }).join("\n       ")}
       CASE WHEN e.search_vector IS DISTINCT FROM audit_search_vector(e.content) THEN 'search_vector' END
     ], NULL) AS fields
     FROM audit_events e, LATERAL (SELECT e.content::jsonb AS c OFFSET 0) j
     WHERE e.org_id = $1 AND e.seq BETWEEN $2 AND $3
     ORDER BY e.seq`,
    [orgId, from, to],
  );
  return rows.flatMap((r) => r.fields.map((field) => ({ seq: Number(r.seq), id: r.id, field })));
}
