import crypto from "node:crypto";
import type { SqlClient, SqlExecutor } from "../db/sql";
import { AppError } from "../errors";
import { canonicalJson, chainHash, sha256Hex } from "./canonical-json";
import type { CanonicalEvent, EventInput } from "./event-schema";
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
  const cols = {
    seq: [] as number[], id: [] as string[], ts: [] as string[], actorId: [] as string[], actorType: [] as string[],
    actorEmail: [] as (string | null)[], action: [] as string[], resType: [] as string[], resId: [] as string[],
    repoId: [] as (string | null)[], repoName: [] as (string | null)[], content: [] as string[], digest: [] as string[],
    hash: [] as string[], prev: [] as (string | null)[],
  };

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
    const event: CanonicalEvent = {
      id: p.id,
      seq,
      timestamp: formatTimestamp(timestamp),
      received_at: receivedText,
      actor: input.actor,
      action: input.action,
      resource: input.resource,
      ...(input.repository && { repository: input.repository }),
      ...(input.changes && { changes: input.changes }),
      ...(input.details && { details: input.details }),
      ...(input.ip_address && { ip_address: input.ip_address }),
      ...(input.user_agent && { user_agent: input.user_agent }),
      ...(input.request_id && { request_id: input.request_id }),
      ...(input.session_id && { session_id: input.session_id }),
    };
    const content = canonicalJson(event);
    const hash = chainHash(prev, content);
    cols.seq.push(seq);
    cols.id.push(p.id);
    cols.ts.push(timestamp.toISOString());
    cols.actorId.push(input.actor.id);
    cols.actorType.push(input.actor.type);
    cols.actorEmail.push(input.actor.email ?? null);
    cols.action.push(input.action);
    cols.resType.push(input.resource.type);
    cols.resId.push(input.resource.id);
    cols.repoId.push(input.repository?.id ?? null);
    cols.repoName.push(input.repository?.name ?? null);
    cols.content.push(content);
    cols.digest.push(p.digest);
    cols.hash.push(hash);
    cols.prev.push(prev);
    const result: AppendResult = { id: p.id, seq, hash, status: "created" };
    createdById.set(p.id, result);
    results.push(result);
    prev = hash;
  });

  if (cols.seq.length > 0) {
    // Issue #9: extend the Merkle tree and sign a checkpoint, under this lock, in this transaction;
    // refuses (503, nothing stored) when rows exist that ingest did not append (lib/integrity/sign-checkpoint.ts).
    await signCheckpoint({ tx, orgId: opts.orgId, headSeq: head.seq, contents: cols.content });
    await tx.query(
      `INSERT INTO audit_events (org_id, seq, id, timestamp, received_at, actor_id, actor_type, actor_email, action,
         resource_type, resource_id, repository_id, repository_name, content, request_digest, hash, previous_hash)
       SELECT $1, u.seq, u.id, u.ts, $2, u.actor_id, u.actor_type, u.actor_email, u.action, u.resource_type, u.resource_id,
         u.repository_id, u.repository_name, u.content, u.request_digest, u.hash, u.previous_hash
       FROM unnest($3::bigint[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
         $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[])
         AS u(seq, id, ts, actor_id, actor_type, actor_email, action, resource_type, resource_id, repository_id,
              repository_name, content, request_digest, hash, previous_hash)`,
      [
        opts.orgId, receivedAt, cols.seq, cols.id, cols.ts, cols.actorId, cols.actorType, cols.actorEmail as string[],
        cols.action, cols.resType, cols.resId, cols.repoId as string[], cols.repoName as string[], cols.content, cols.digest,
        cols.hash, cols.prev as string[],
      ],
    );
    await tx.query(`UPDATE audit_chain_heads SET seq = $2, hash = $3, updated_at = now() WHERE org_id = $1`, [opts.orgId, seq, prev]);
    // Issue #9: a signed attestation of the copied query columns just written (lib/audit/attest-columns.ts).
    await attestColumns({ tx, orgId: opts.orgId, fromSeq: head.seq + 1, toSeq: seq });
  }
  return results;
}

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
