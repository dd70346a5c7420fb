import crypto from "node:crypto";
import type { SqlClient, SqlExecutor, SqlParam } from "../db/sql";
import { AppError } from "../errors";
import { canonicalJson, chainHash, sha256Hex } from "./canonical-json";
import type { CanonicalEvent, EventInput } from "./event-schema";
import { contentFields, COPIED_COLUMNS, copiedColumnValues } from "./event-fields";
import { formatTimestamp } from "./format-timestamp";
import { signCheckpoint } from "../integrity/sign-checkpoint";
import { attestColumns } from "./attest-columns";

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

function prepare(events: EventInput[], prefix: string) {
  const prepared = events.map((input) => {
    const id = input.id ?? newEventId();
    return { input, id, digest: sha256Hex(canonicalJson({ ...input, id })) };
  });
  // Duplicates inside the batch: identical → later copies are duplicates; different → refuse.
  const firstById = new Map<string, number>();
  prepared.forEach((p, i) => {
    const j = firstById.get(p.id);
    if (j === undefined) firstById.set(p.id, i);
    else if (prepared[j]!.digest !== p.digest) {
      throw new AppError("conflict", `${at(prefix, i, "id")}: "${p.id}" appears earlier in the batch with different content`, {
        field: at(prefix, i, "id"),
      });
    }
  });
  return { prepared, firstById };
}

/**
 * The core of {@link appendEvents}, inside the caller's transaction: the audit record and the change
 * it records commit together (see lib/audit/audit-change.ts). Lock order: this takes the org's
 * chain-head row lock (FOR UPDATE) and holds it to the end of the caller's transaction, so callers
 * lock everything else they change BEFORE calling it, and lock no other rows after it.
 */
export async function appendEventsInTx(opts: AppendEventsInTxOptions): Promise<AppendResult[]> {
  const prefix = opts.fieldPrefix ?? "events";
  const { prepared, firstById } = prepare(opts.events, prefix);
  const { tx } = opts;
  const head = await lockChainHead(tx, opts.orgId);
  const ids = [...firstById.keys()];
  const existing = await tx.query<{ id: string; request_digest: string; seq: number; hash: string }>(
    `SELECT id, request_digest, seq, hash FROM audit_events WHERE org_id = $1 AND id = ANY($2::text[])`,
    [opts.orgId, ids],
  );
  const existingById = new Map(existing.map((r) => [r.id, r]));

  const receivedAt = opts.now ?? new Date();
  const receivedText = formatTimestamp(receivedAt);
  let seq = head.seq;
  let prev = head.hash;
  const results: AppendResult[] = [];
  const createdById = new Map<string, AppendResult>();
  // The copied columns come from the field registry (lib/audit/event-fields.ts), one array each.
  const copied = COPIED_COLUMNS.map(() => [] as SqlParam[]);
  const cols = { content: [] as string[], digest: [] as string[], hash: [] as string[], prev: [] as (string | null)[] };

  prepared.forEach((p, i) => {
    const old = existingById.get(p.id);
    if (old) {
      if (old.request_digest !== p.digest) {
        throw new AppError("conflict", `${at(prefix, i, "id")}: an event with id "${p.id}" already exists with different content`, {
          field: at(prefix, i, "id"),
        });
      }
      results.push({ id: p.id, seq: old.seq, hash: old.hash, status: "duplicate" });
      return;
    }
    const again = createdById.get(p.id);
    if (again) {
      results.push({ ...again, status: "duplicate" });
      return;
    }
    seq += 1;
    const { input } = p;
    const timestamp = input.timestamp ? new Date(input.timestamp) : receivedAt;
    const event = {
      ...contentFields(input),
      id: p.id,
      seq,
      timestamp: formatTimestamp(timestamp),
      received_at: receivedText,
    } as CanonicalEvent;
    const content = canonicalJson(event);
    const hash = chainHash(prev, content);
    copiedColumnValues(event).forEach((v, c) => copied[c]!.push(v));
    cols.content.push(content);
    cols.digest.push(p.digest);
    cols.hash.push(hash);
    cols.prev.push(prev);
    const result: AppendResult = { id: p.id, seq, hash, status: "created" };
    createdById.set(p.id, result);
    results.push(result);
    prev = hash;
  });

  if (cols.content.length > 0) {
    // Issue #9: extend the Merkle tree and sign a checkpoint, under this lock, in this transaction;
    // refuses (503, nothing stored) when rows exist that ingest did not append (lib/integrity/sign-checkpoint.ts).
    await signCheckpoint({ tx, orgId: opts.orgId, headSeq: head.seq, contents: cols.content });
    await tx.query(INSERT_EVENTS, [opts.orgId, cols.content, cols.digest, cols.hash, cols.prev as string[], ...(copied as string[][])]);
    await tx.query(`UPDATE audit_chain_heads SET seq = $2, hash = $3, updated_at = now() WHERE org_id = $1`, [opts.orgId, seq, prev]);
    // Issue #9: a signed attestation of the copied query columns just written (lib/audit/attest-columns.ts).
    await attestColumns({ tx, orgId: opts.orgId, fromSeq: head.seq + 1, toSeq: seq });
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
  const arrays = COPIED_COLUMNS.map((c, i) => `$${6 + i}::${c.type}[]`);
  return `INSERT INTO audit_events (org_id, content, request_digest, hash, previous_hash, ${names.join(", ")})
     SELECT $1, u.* FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], ${arrays.join(", ")}) AS u`;
})();

async function lockChainHead(tx: SqlExecutor, orgId: string): Promise<{ seq: number; hash: string | null }> {
  await tx.query(`INSERT INTO audit_chain_heads (org_id) VALUES ($1) ON CONFLICT (org_id) DO NOTHING`, [orgId]);
  const rows = await tx.query<{ seq: number; hash: string | null }>(
    `SELECT seq, hash FROM audit_chain_heads WHERE org_id = $1 FOR UPDATE`,
    [orgId],
  );
  const row = rows[0];
  if (!row) throw new AppError("internal_error", "chain head missing");
  return row;
}
