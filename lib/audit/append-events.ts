import crypto from "node:crypto";
import type { SqlClient, SqlExecutor, SqlParam } from "../db/sql";
import { AppError } from "../errors";
import { canonicalJson, chainHash, sha256Hex } from "./canonical-json";
import type { EventInput } from "./event-schema";
import { contentFields, COPIED_COLUMNS, copiedColumnValues } from "./event-fields";
import { formatTimestamp } from "./format-timestamp";
import { CHAIN_HEAD_TREE_COLUMNS, signCheckpoint } from "../integrity/sign-checkpoint";
import { attestColumns, columnAttestationsEnabled, columnsDigestSql, type ColumnsDigest } from "./attest-columns";
import { searchVectorText } from "./search-vector";

export interface AppendResult {
  id: string;
  seq: number;
  hash: string;
  status: "created" | "duplicate";
}

export interface AppendEventsOptions {
  sql: SqlClient;
  orgId: string;
  events: EventInput[];
  /** Field prefix used in error messages: "events" for a batch, "" for a single event. */
  fieldPrefix?: string;
  now?: Date;
}

export interface AppendEventsInTxOptions extends Omit<AppendEventsOptions, "sql"> {
  /** The caller's open transaction: the events commit (or roll back) with whatever else it wrote. */
  tx: SqlExecutor;
}

export function newEventId(): string {
  return `evt_${crypto.randomBytes(12).toString("hex")}`;
}

const at = (prefix: string, i: number, field: string) => (prefix ? `${prefix}[${i}].${field}` : field);

/**
 * Appends events to the org's hash chain in array order, atomically: all or none.
 *
 * Concurrency: the org's chain-head row is locked (SELECT … FOR UPDATE) for the whole transaction,
 * so writers in any number of processes append one after another; UNIQUE(org_id, seq) and
 * UNIQUE(org_id, previous_hash) make a fork impossible even if that lock were bypassed.
 * Idempotency: an id seen before with the same request digest is a duplicate (no-op); with another
 * digest it is a 409. The function returns after COMMIT: what it reports is durable.
 */
export async function appendEvents(opts: AppendEventsOptions): Promise<AppendResult[]> {
  const { sql, ...rest } = opts;
  return sql.transaction((tx) => appendEventsInTx({ ...rest, tx }));
}

/**
 * One event ready to be appended, everything computed that does not depend on its place in the
 * chain: id, request digest, canonical content around its seq, copied column values, full-text vector.
 */
interface PreparedEvent {
  id: string;
  digest: string;
  /** The canonical content is `${before}${seq}${after}` (RFC 8785: members sorted, `seq` a number). */
  before: string;
  after: string;
  /** Copied column values (COPIED_COLUMNS order), the seq column's still 0. */
  copied: SqlParam[];
  /**
   * audit_search_vector(content) as text: computed in JS where that is exact (lib/audit/search-vector.ts),
   * else filled by {@link computeSearchVectors}.
   */
  vector: string | null;
  /** `vector` came from JS (one such per batch is checked against the SQL). */
  jsVector: boolean;
  /** Where the event came from, for error messages ("events[3].id"). */
  field: (name: string) => string;
}

/** A request's events, prepared before the org's lock is taken (see {@link prepareAppend}). */
export interface PreparedAppend {
  events: PreparedEvent[];
}

/** JS vectors are used until one differs from the SQL (then never again in this process). */
const jsVectors = { enabled: true };

const SEQ_COLUMN = COPIED_COLUMNS.findIndex((c) => c.name === "seq");

/** `"key":<canonical value>` of one member. */
const member = (k: string, v: unknown) => `${JSON.stringify(k)}:${canonicalJson(v)}`;

/**
 * Ingest's JS work for one request, done BEFORE the org's chain-head lock (issue 11): ids, request
 * digests (SHA-256 of the event as submitted, canonical), the canonical content of each event up to
 * its seq, the copied column values; a conflicting id twice in the request is refused here (409).
 * Each top-level member is canonicalised once and shared by the digest and the content. Pure JS: no
 * database, nothing stored.
 */
export function prepareAppend(opts: { events: EventInput[]; fieldPrefix?: string; now?: Date }): PreparedAppend {
  const prefix = opts.fieldPrefix ?? "events";
  const receivedAt = opts.now ?? new Date();
  const receivedText = formatTimestamp(receivedAt);
  const firstById = new Map<string, PreparedEvent>();
  const events = opts.events.map((input, i): PreparedEvent => {
    const id = input.id ?? newEventId();
    const field = (name: string) => at(prefix, i, name);
    const timestamp = formatTimestamp(input.timestamp ? new Date(input.timestamp) : receivedAt);
    const event: Record<string, unknown> = { ...contentFields(input), id, seq: 0, timestamp, received_at: receivedText };
    const members = new Map<string, string>();
    let before = "{";
    let after = "";
    let seen = false;
    for (const k of Object.keys(event).sort()) {
      const v = event[k];
      if (v === undefined || typeof v === "function") continue;
      const sep = before === "{" && !seen ? "" : ",";
      if (k === "seq") {
        before += `${sep}"seq":`;
        seen = true;
        continue;
      }
      const m = member(k, v);
      members.set(k, m);
      if (seen) after += `,${m}`;
      else before += `${sep}${m}`;
    }
    after += "}";
    // The digest covers the event as submitted (its own timestamp text), with its id.
    const submitted: Record<string, unknown> = { ...input, id };
    let digestText = "{";
    for (const k of Object.keys(submitted).sort()) {
      const v = submitted[k];
      if (v === undefined || typeof v === "function") continue;
      digestText += `${digestText === "{" ? "" : ","}${k !== "timestamp" && members.has(k) && submitted[k] === event[k] ? members.get(k)! : member(k, v)}`;
    }
    digestText += "}";
    const vector = jsVectors.enabled ? searchVectorText(event) : null;
    const p: PreparedEvent = { id, digest: sha256Hex(digestText), before, after, copied: copiedColumnValues(event), vector, jsVector: vector !== null, field };
    // Duplicates inside the request: identical → later copies are duplicates; different → refuse.
    const first = firstById.get(id);
    if (!first) firstById.set(id, p);
    else if (first.digest !== p.digest) {
      throw new AppError("conflict", `${field("id")}: "${id}" appears earlier in the batch with different content`, { field: field("id") });
    }
    return p;
  });
  return { events };
}

/**
 * The full-text vectors JS could not compute exactly (lib/audit/search-vector.ts), computed by the
 * database's own audit_search_vector() (prisma/definitions/functions/audit_search_vector.sql) from
 * the content — whose seq does not enter the vector — in one statement on any connection, before the
 * org's lock (issue 11). The same statement checks the batch's first JS vector against the SQL: if
 * they ever differ (a changed SQL definition, a database whose locale lower-cases ASCII otherwise),
 * every vector of the batch is computed by the database, and JS vectors are off for the process.
 * The INSERT then stores them as they are; the BEFORE INSERT trigger computes only vectors a writer
 * left NULL.
 */
export async function computeSearchVectors(sql: SqlExecutor, batch: PreparedAppend): Promise<void> {
  const probe = batch.events.find((e) => e.jsVector);
  const todo = batch.events.filter((e) => e.vector === null);
  if (todo.length === 0 && !probe) return;
  const contents = (es: PreparedEvent[]) => es.map((e) => `${e.before}0${e.after}`);
  const rows = await sql.query<{ v: string; same: boolean | null }>(
    `SELECT v::text AS v, j::tsvector = v AS same
       FROM (SELECT audit_search_vector(c) AS v, j, n FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(c, j, n)) s ORDER BY n`,
    [contents(probe ? [probe, ...todo] : todo), probe ? [probe.vector, ...todo.map(() => null)] : todo.map(() => null)],
  );
  if (rows.length !== todo.length + (probe ? 1 : 0)) throw new AppError("internal_error", "computeSearchVectors: one vector per event expected");
  if (probe && rows[0]!.same !== true) {
    jsVectors.enabled = false;
    console.error(`[audit-trail] the search vector computed in JS for event ${probe.id} differs from audit_search_vector() (JS ${probe.vector}; SQL ${rows[0]!.v}); vectors are computed by the database from now on`);
    for (const e of batch.events) {
      e.vector = null;
      e.jsVector = false;
    }
    return computeSearchVectors(sql, batch);
  }
  if (probe) probe.jsVector = false; // checked: not again when the group's transaction calls this
  rows.slice(probe ? 1 : 0).forEach((r, i) => (todo[i]!.vector = r.v));
}

/**
 * The core of {@link appendEvents}, inside the caller's transaction: the audit record and the change
 * it records commit together (see lib/audit/audit-change.ts). Lock order: this takes the org's
 * chain-head row lock (FOR UPDATE) and holds it to the end of the caller's transaction, so callers
 * lock everything else they change BEFORE calling it, and lock no other rows after it.
 * = prepareAppend + computeSearchVectors (no lock) + appendPreparedInTx (the locked part).
 */
export async function appendEventsInTx(opts: AppendEventsInTxOptions): Promise<AppendResult[]> {
  const batch = prepareAppend(opts);
  await computeSearchVectors(opts.tx, batch);
  return appendPreparedInTx({ tx: opts.tx, orgId: opts.orgId, batches: [batch] });
}

/**
 * The part of an append that needs the org's chain-head lock, for one or more prepared requests
 * appended together in this order (group commit, lib/audit/queue-appends.ts): lock; find ids stored
 * before (same digest: duplicate; another: 409); give each new event its seq, content, chain hash;
 * extend the Merkle tree and sign a checkpoint; INSERT the rows with their vectors; the analytics
 * side tables (audit_analytics_add); move the head; attest the copied columns. One result per event,
 * in order, duplicates included. An identical id earlier in the group is a duplicate; a different one
 * is a 409 (nothing stored).
 */
export async function appendPreparedInTx(opts: { tx: SqlExecutor; orgId: string; batches: PreparedAppend[] }): Promise<AppendResult[]> {
  const { tx } = opts;
  const events = await readyEvents(tx, opts.batches);
  const head = await lockChainHead(tx, opts.orgId);
  const plan = planAppend({ events, head, stored: await readStoredIds(tx, opts.orgId, events), pending: null });
  if (plan.count > 0) {
    // Issue #9: extend the Merkle tree and sign a checkpoint, under this lock, in this transaction;
    // refuses (503, nothing stored) when rows exist that ingest did not append (lib/integrity/sign-checkpoint.ts).
    await signCheckpoint({ tx, orgId: opts.orgId, headSeq: head.seq, tree: head.tree, contents: plan.cols.content });
    await insertPlanned(tx, opts.orgId, plan);
    await finishAppend(tx, opts.orgId, head.seq, plan);
  }
  return plan.results;
}

/**
 * Where a pipelined append starts (lib/audit/queue-appends.ts): the chain head it expects to follow —
 * the one the previous group of the same org will leave when it commits — and the ids that group
 * appends, not yet committed.
 */
export interface ChainTail {
  seq: number;
  hash: string | null;
  ids: ReadonlyMap<string, { result: AppendResult; digest: string }>;
}

/**
 * Thrown by {@link appendPreparedPipelined} when the chain head it locked is not the one it planned
 * on (the previous group failed, or another process appended): nothing of it is kept; the caller
 * rolls back and appends the group again with {@link appendPreparedInTx}.
 */
export class StaleTailError extends Error {
  constructor(expected: { seq: number }, found: { seq: number }) {
    super(`the chain head moved: planned after seq ${expected.seq}, found seq ${found.seq}`);
  }
}

/**
 * {@link appendPreparedInTx} in two halves, so the INSERT — the dearest statement — runs WITHOUT the
 * org's chain-head lock, while the previous group of the org still holds it (issue 11):
 *
 * 1. unlocked: ids stored before (committed rows, and `after.ids` of the previous group, not yet
 *    committed), seqs and chain hashes from `after` (or from the head as committed, read without
 *    lock, when there is no previous group in flight); `onPlanned` gets this group's own tail at once,
 *    so the next group can plan too; then the INSERT. Its rows' keys (seq, previous hash, id) cannot
 *    meet the previous group's, so neither waits for the other;
 * 2. locked: the chain-head row FOR UPDATE — it waits for the previous group's COMMIT — must be
 *    exactly the planned start (seq and hash), else {@link StaleTailError}; then, as the serial append
 *    does after its INSERT: the Merkle tree and signed checkpoint (checked with this transaction's own
 *    rows counted), the analytics side tables (which now see the previous group's rows), the head,
 *    the column attestation.
 *
 * Commits therefore happen in chain order, one at a time, as before; only the INSERTs overlap. Any
 * failure here is answered by the serial append in a fresh transaction (the caller's job), which is
 * the one source of every refusal: a stale plan, a unique violation from another writer's rows, an
 * integrity alarm, a 409 found against a previous group that then failed.
 */
export async function appendPreparedPipelined(opts: {
  tx: SqlExecutor;
  orgId: string;
  batches: PreparedAppend[];
  after: ChainTail | null;
  onPlanned: (tail: ChainTail) => void;
  /** Give up waiting for the chain-head lock after this long (lock_not_available, 55P03); none by default. */
  lockWaitMs?: number;
  /** Awaited after the INSERT, before asking for the lock (the queue: until the previous group has committed). */
  beforeLock?: () => Promise<void>;
  /** Called once this transaction holds the lock. */
  onLocked?: () => void;
}): Promise<AppendResult[]> {
  const { tx, orgId } = opts;
  const events = await readyEvents(tx, opts.batches);
  const start = opts.after ?? (await readChainHead(tx, orgId));
  const plan = planAppend({ events, head: start, stored: await readStoredIds(tx, orgId, events), pending: opts.after?.ids ?? null });
  opts.onPlanned({ seq: plan.seq, hash: plan.hash, ids: plan.created });
  if (plan.count > 0) {
    await takeAppendLock(tx, orgId, "shared");
    await insertPlanned(tx, orgId, plan);
  }
  await opts.beforeLock?.();
  let was: string | undefined;
  if (opts.lockWaitMs) {
    [{ was }] = (await tx.query<{ was: string }>(`SELECT current_setting('lock_timeout') AS was, set_config('lock_timeout', $1, true) AS now`, [`${opts.lockWaitMs}ms`])) as [{ was: string }];
  }
  const head = await lockChainHead(tx, orgId, { appendLock: false });
  opts.onLocked?.();
  if (was !== undefined) await tx.query(`SELECT set_config('lock_timeout', $1, true) AS now`, [was]);
  if (head.seq !== start.seq || head.hash !== start.hash) throw new StaleTailError(start, head);
  if (plan.count > 0) {
    await signCheckpoint({ tx, orgId, headSeq: head.seq, tree: head.tree, contents: plan.cols.content, inserted: plan.count });
    await finishAppend(tx, orgId, head.seq, plan);
  }
  return plan.results;
}

/**
 * The events of the batches, in order, with their vectors: those not computed yet (PGlite's queue
 * leaves them to the transaction) now, before the lock.
 */
async function readyEvents(tx: SqlExecutor, batches: PreparedAppend[]): Promise<PreparedEvent[]> {
  for (const b of batches) await computeSearchVectors(tx, b);
  return batches.length === 1 ? batches[0]!.events : batches.flatMap((b) => b.events);
}

interface AppendPlan {
  results: AppendResult[];
  /** The ids this append creates (the next pipelined group's `after.ids`). */
  created: Map<string, { result: AppendResult; digest: string }>;
  /** Rows created, and the chain's end after them. */
  count: number;
  seq: number;
  hash: string | null;
  cols: { content: string[]; digest: string[]; hash: string[]; prev: (string | null)[]; vector: (string | null)[] };
  /** The copied columns (COPIED_COLUMNS order), one array each. */
  copied: SqlParam[][];
}

type StoredIds = Map<string, { request_digest: string; seq: number; hash: string }>;

async function readStoredIds(tx: SqlExecutor, orgId: string, events: PreparedEvent[]): Promise<StoredIds> {
  const ids = [...new Set(events.map((e) => e.id))];
  const existing = await tx.query<{ id: string; request_digest: string; seq: number; hash: string }>(
    `SELECT id, request_digest, seq, hash FROM audit_events WHERE org_id = $1 AND id = ANY($2::text[])`,
    [orgId, ids],
  );
  return new Map(existing.map((r) => [r.id, r]));
}

/**
 * Seqs, contents and chain hashes of the events after `head`: an id stored before (or appended by the
 * previous pipelined group, `pending`) with the same digest is a duplicate, with another digest a 409;
 * likewise an id earlier in these events.
 */
function planAppend(opts: { events: PreparedEvent[]; head: { seq: number; hash: string | null }; stored: StoredIds; pending: ChainTail["ids"] | null }): AppendPlan {
  let seq = opts.head.seq;
  let prev = opts.head.hash;
  const results: AppendResult[] = [];
  const created = new Map<string, { result: AppendResult; digest: string }>();
  // The copied columns come from the field registry (lib/audit/event-fields.ts), one array each.
  const copied = COPIED_COLUMNS.map(() => [] as SqlParam[]);
  const cols: AppendPlan["cols"] = { content: [], digest: [], hash: [], prev: [], vector: [] };

  for (const p of opts.events) {
    // Stored before, or appended by the previous pipelined group (not committed yet).
    const stored = opts.stored.get(p.id);
    const pending = stored ? undefined : opts.pending?.get(p.id);
    const earlier = stored
      ? { digest: stored.request_digest, seq: stored.seq, hash: stored.hash }
      : pending && { digest: pending.digest, seq: pending.result.seq, hash: pending.result.hash };
    if (earlier) {
      if (earlier.digest !== p.digest) {
        throw new AppError("conflict", `${p.field("id")}: an event with id "${p.id}" already exists with different content`, { field: p.field("id") });
      }
      results.push({ id: p.id, seq: earlier.seq, hash: earlier.hash, status: "duplicate" });
      continue;
    }
    const again = created.get(p.id);
    if (again) {
      if (again.digest !== p.digest) {
        throw new AppError("conflict", `${p.field("id")}: "${p.id}" appears earlier in the batch with different content`, { field: p.field("id") });
      }
      results.push({ ...again.result, status: "duplicate" });
      continue;
    }
    seq += 1;
    const content = `${p.before}${seq}${p.after}`;
    const hash = chainHash(prev, content);
    p.copied.forEach((v, c) => copied[c]!.push(c === SEQ_COLUMN ? seq : v));
    cols.content.push(content);
    cols.digest.push(p.digest);
    cols.hash.push(hash);
    cols.prev.push(prev);
    cols.vector.push(p.vector);
    const result: AppendResult = { id: p.id, seq, hash, status: "created" };
    created.set(p.id, { result, digest: p.digest });
    results.push(result);
    prev = hash;
  }
  return { results, created, count: cols.content.length, seq, hash: prev, cols, copied };
}

async function insertPlanned(tx: SqlExecutor, orgId: string, plan: AppendPlan): Promise<void> {
  const { cols } = plan;
  await tx.query(INSERT_EVENTS, [orgId, cols.content, cols.digest, cols.hash, cols.prev, cols.vector, ...(plan.copied as string[][])]);
}

/** After the INSERT, under the lock: the analytics side tables, the head, the column attestation. */
async function finishAppend(tx: SqlExecutor, orgId: string, headSeq: number, plan: AppendPlan): Promise<void> {
  // Issue 11: the analytics side tables (rollups, scan scores, issue events), set-based, in this transaction.
  await tx.query(`SELECT 1 AS done FROM audit_analytics_add($1, $2, $3)`, [orgId, headSeq + 1, plan.seq]);
  // Issue #9: the head moves, and the same statement hashes the copied columns just written for their
  // signed attestation (lib/audit/attest-columns.ts): one round trip for both.
  const attest = columnAttestationsEnabled();
  const [digest] = await tx.query<ColumnsDigest>(
    attest
      ? `WITH d AS (${columnsDigestSql("$1", "$4", "$2")}) UPDATE audit_chain_heads SET seq = $2, hash = $3, updated_at = now() FROM d WHERE org_id = $1 RETURNING d.*`
      : `UPDATE audit_chain_heads SET seq = $2, hash = $3, updated_at = now() WHERE org_id = $1`,
    attest ? [orgId, plan.seq, plan.hash, headSeq + 1] : [orgId, plan.seq, plan.hash],
  );
  await attestColumns({ tx, orgId, fromSeq: headSeq + 1, toSeq: plan.seq, digest });
}

/**
 * The INSERT of a batch: one array per column, unnested. The copied columns and their SQL types come
 * from the field registry (lib/audit/event-fields.ts); content, request digest and the chain's hashes
 * are ingest's own.
 */
const INSERT_EVENTS = (() => {
  const names = COPIED_COLUMNS.map((c) => (c.name === "timestamp" ? '"timestamp"' : c.name));
  const arrays = COPIED_COLUMNS.map((c, i) => `$${7 + i}::${c.type}[]`);
  return `INSERT INTO audit_events (org_id, content, request_digest, hash, previous_hash, search_vector, ${names.join(", ")})
     SELECT $1, u.* FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::tsvector[], ${arrays.join(", ")}) AS u`;
})();

/** The chain head as committed, without a lock (a pipelined append's start when no group is in flight). */
async function readChainHead(tx: SqlExecutor, orgId: string): Promise<{ seq: number; hash: string | null; ids: ChainTail["ids"] }> {
  const [row] = await tx.query<{ seq: number; hash: string | null }>(`SELECT seq, hash FROM audit_chain_heads WHERE org_id = $1`, [orgId]);
  return { seq: row ? Number(row.seq) : 0, hash: row?.hash ?? null, ids: new Map() };
}

/**
 * The org's append lock (a transaction-scoped advisory lock, keyed by the org), taken before the
 * chain-head row lock — exclusive by the serial append, shared by pipelined ones, which hold it from
 * before their INSERT to their COMMIT. The lock order is then the same for every writer (this lock,
 * its rows, the chain head), so none can wait for another in the opposite order: a serial append
 * never locks the head while a pipelined group holds rows on the seqs it would take (it waits for
 * those groups to commit first), and pipelined groups never wait for each other's rows. Advisory
 * locks are per server: every writer goes through the same one (on Citus, the coordinator).
 */
const ORG_APPEND_LOCK = "pg_advisory_xact_lock%s(1096045105, hashtext($1))";

async function takeAppendLock(tx: SqlExecutor, orgId: string, mode: "shared" | "exclusive"): Promise<void> {
  await tx.query(`SELECT 1 AS locked FROM ${ORG_APPEND_LOCK.replace("%s", mode === "shared" ? "_shared" : "")}`, [orgId]);
}

async function lockChainHead(tx: SqlExecutor, orgId: string, opts: { appendLock: boolean } = { appendLock: true }): Promise<{ seq: number; hash: string | null; tree: { size: number; frontier: Uint8Array | null } }> {
  if (opts.appendLock) await takeAppendLock(tx, orgId, "exclusive"); // first (see ORG_APPEND_LOCK)
  await tx.query(`INSERT INTO audit_chain_heads (org_id) VALUES ($1) ON CONFLICT (org_id) DO NOTHING`, [orgId]);
  // The tree state comes with the lock, so signCheckpoint needs no read of its own.
  const rows = await tx.query<{ seq: number; hash: string | null; tree_size: number; frontier: Uint8Array | null }>(
    `SELECT seq, hash, ${CHAIN_HEAD_TREE_COLUMNS} FROM audit_chain_heads WHERE org_id = $1 FOR UPDATE`,
    [orgId],
  );
  const row = rows[0];
  if (!row) throw new AppError("internal_error", "chain head missing");
  return { seq: Number(row.seq), hash: row.hash, tree: { size: Number(row.tree_size), frontier: row.frontier } };
}
