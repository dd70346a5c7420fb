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
  // Vectors not computed yet (PGlite's queue leaves them to the transaction): now, before the lock.
  for (const b of opts.batches) await computeSearchVectors(tx, b);
  const events = opts.batches.length === 1 ? opts.batches[0]!.events : opts.batches.flatMap((b) => b.events);
  const head = await lockChainHead(tx, opts.orgId);
  const ids = [...new Set(events.map((e) => e.id))];
  const existing = await tx.query<{ id: string; request_digest: string; seq: number; hash: string }>(
    `SELECT id, request_digest, seq, hash FROM audit_events WHERE org_id = $1 AND id = ANY($2::text[])`,
    [opts.orgId, ids],
  );
  const existingById = new Map(existing.map((r) => [r.id, r]));

  let seq = head.seq;
  let prev = head.hash;
  const results: AppendResult[] = [];
  const createdById = new Map<string, { result: AppendResult; digest: string }>();
  // The copied columns come from the field registry (lib/audit/event-fields.ts), one array each.
  const copied = COPIED_COLUMNS.map(() => [] as SqlParam[]);
  const cols = { content: [] as string[], digest: [] as string[], hash: [] as string[], prev: [] as (string | null)[], vector: [] as (string | null)[] };

  for (const p of events) {
    const old = existingById.get(p.id);
    if (old) {
      if (old.request_digest !== p.digest) {
        throw new AppError("conflict", `${p.field("id")}: an event with id "${p.id}" already exists with different content`, { field: p.field("id") });
      }
      results.push({ id: p.id, seq: old.seq, hash: old.hash, status: "duplicate" });
      continue;
    }
    const again = createdById.get(p.id);
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
    createdById.set(p.id, { result, digest: p.digest });
    results.push(result);
    prev = hash;
  }

  if (cols.content.length > 0) {
    // Issue #9: extend the Merkle tree and sign a checkpoint, under this lock, in this transaction;
    // refuses (503, nothing stored) when rows exist that ingest did not append (lib/integrity/sign-checkpoint.ts).
    await signCheckpoint({ tx, orgId: opts.orgId, headSeq: head.seq, tree: head.tree, contents: cols.content });
    await tx.query(INSERT_EVENTS, [
      opts.orgId, cols.content, cols.digest, cols.hash, cols.prev as string[], cols.vector as string[], ...(copied as string[][]),
    ]);
    // Issue 11: the analytics side tables (rollups, scan scores, issue events), set-based, in this transaction.
    await tx.query(`SELECT 1 AS done FROM audit_analytics_add($1, $2, $3)`, [opts.orgId, head.seq + 1, seq]);
    // Issue #9: the head moves, and the same statement hashes the copied columns just written for their
    // signed attestation (lib/audit/attest-columns.ts): one round trip for both.
    const attest = columnAttestationsEnabled();
    const [digest] = await tx.query<ColumnsDigest>(
      attest
        ? `WITH d AS (${columnsDigestSql("$1", "$4", "$2")}) UPDATE audit_chain_heads SET seq = $2, hash = $3, updated_at = now() FROM d WHERE org_id = $1 RETURNING d.*`
        : `UPDATE audit_chain_heads SET seq = $2, hash = $3, updated_at = now() WHERE org_id = $1`,
      attest ? [opts.orgId, seq, prev, head.seq + 1] : [opts.orgId, seq, prev],
    );
    await attestColumns({ tx, orgId: opts.orgId, fromSeq: head.seq + 1, toSeq: seq, digest });
  }
  return results;
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

async function lockChainHead(tx: SqlExecutor, orgId: string): Promise<{ seq: number; hash: string | null; tree: { size: number; frontier: Uint8Array | null } }> {
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
