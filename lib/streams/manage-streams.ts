import crypto from "node:crypto";
import { withAuditedChange, type AuditTx } from "../audit/audit-change";
import type { Actor, EventInput } from "../audit/event-schema";
import { parseTimeBound } from "../audit/time-bounds";
import type { Database } from "../db/open-database";
import { AppError } from "../errors";
import { assertDestinationHost } from "./check-destination";
import { newWebhookSecret, sealSecret } from "./secret-box";
import { getStreamConfig } from "./stream-config";
import { destinationOf, savedQueryFilter, selectStream, toStreamJson, withLag, type StreamRow } from "./stream-rows";
import type { CreateStream, DestinationInput, DestinationView, ReplayStream, StreamJson, UpdateStream } from "./stream-schemas";
import { kickStreamWorker } from "./stream-signals";

const actorLabel = (a: Actor) => a.email ?? a.name ?? a.id;

/** Splits a destination into what is stored in clear (and shown) and its secret (stored sealed). Checks the host (SSRF). */
export function prepareDestination(d: DestinationInput, field = "destination"): { view: DestinationView; token: string | null } {
  const allowHttp = getStreamConfig().AUDIT_STREAMS_ALLOW_PRIVATE;
  if ("url" in d && d.url !== undefined) {
    const u = new URL(d.url);
    if (u.protocol === "http:" && !allowHttp) throw new AppError("invalid_parameter", `${field}.url: must be https:// (http:// only with AUDIT_STREAMS_ALLOW_PRIVATE=1)`, { field: `${field}.url` });
    assertDestinationHost(u.hostname, `${field}.url`);
  }
  switch (d.type) {
    case "webhook":
      return { view: { type: "webhook", url: d.url }, token: null };
    case "splunk_hec":
      return { view: { type: "splunk_hec", url: d.url, ...(d.index && { index: d.index }), ...(d.sourcetype && { sourcetype: d.sourcetype }) }, token: d.token };
    case "datadog":
      return { view: { type: "datadog", ...(d.url && { url: d.url }), ...(d.service && { service: d.service }), ...(d.tags && { tags: d.tags }) }, token: d.token };
    case "syslog":
      assertDestinationHost(d.host, `${field}.host`);
      return { view: { type: "syslog", host: d.host, port: d.port, tls: d.tls ?? false }, token: null };
  }
}

function storedDestination(view: DestinationView): string {
  const { type: _type, ...rest } = view;
  return JSON.stringify(rest);
}

function resourceOf(id: string, name: string) {
  return { type: "stream", id, name };
}

async function headSeq(tx: AuditTx, orgId: string): Promise<number> {
  const rows = await tx.sql.query<{ n: number | string | null }>(`SELECT max(seq) AS n FROM audit_events WHERE org_id = $1`, [orgId]);
  return Number(rows[0]?.n ?? 0);
}

async function reread(db: Database, orgId: string, id: string): Promise<StreamJson> {
  const row = await selectStream(db.sql, orgId, id);
  if (!row) throw new AppError("not_found", `stream "${id}" not found`);
  return toStreamJson(row);
}

/** Creates a stream (audited as stream.created). The webhook secret is returned once. */
export async function createStream(opts: { db: Database; orgId: string; input: CreateStream; actor: Actor }): Promise<StreamJson & { secret: string | null }> {
  const { input } = opts;
  const query = input.query ?? "";
  savedQueryFilter(query);
  const { view, token } = prepareDestination(input.destination);
  const secret = view.type === "webhook" ? newWebhookSecret() : null;
  const sealed = secret ?? token;
  const id = `str_${crypto.randomBytes(8).toString("hex")}`;
  await withAuditedChange({ db: opts.db, orgId: opts.orgId }, async (tx) => {
    const cursor = input.start === "beginning" ? 0 : await headSeq(tx, opts.orgId);
    await tx.sql.query(
      `INSERT INTO audit_streams (org_id, id, name, destination_type, destination, secret_box, query, status, cursor_seq, created_by)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, 'active', $8, $9)`,
      [opts.orgId, id, input.name, view.type, storedDestination(view), sealed ? sealSecret(sealed) : null, query, cursor, actorLabel(opts.actor)],
    );
    const event: EventInput = {
      actor: opts.actor,
      action: "stream.created",
      resource: resourceOf(id, input.name),
      changes: { name: { new: input.name }, destination: { new: { ...view } }, query: { new: query }, cursor_seq: { new: cursor } },
    };
    return { value: undefined, events: [event] };
  });
  kickStreamWorker();
  return { ...(await reread(opts.db, opts.orgId, id)), secret };
}

export async function listStreams(opts: { db: Database; orgId: string }): Promise<StreamJson[]> {
  const rows = await opts.db.sql.query<StreamRow>(`SELECT * FROM audit_streams WHERE org_id = $1 ORDER BY created_at, id`, [opts.orgId]);
  const now = new Date();
  return (await withLag(opts.db.sql, opts.orgId, rows)).map((r) => toStreamJson(r, now));
}

export async function getStream(opts: { db: Database; orgId: string; id: string }): Promise<StreamJson> {
  return reread(opts.db, opts.orgId, opts.id);
}

/**
 * Pauses, resumes, renames, refilters or re-targets a stream (audited with old/new values:
 * stream.paused / stream.resumed for a status-only change, else stream.updated). Resume continues
 * from the cursor; `rotate_secret` returns the new webhook secret once.
 */
export async function updateStream(opts: { db: Database; orgId: string; id: string; patch: UpdateStream; actor: Actor }): Promise<StreamJson & { secret?: string }> {
  const { patch } = opts;
  if (patch.query !== undefined) savedQueryFilter(patch.query);
  const dest = patch.destination ? prepareDestination(patch.destination) : undefined;
  let secret: string | undefined;
  await withAuditedChange({ db: opts.db, orgId: opts.orgId }, async (tx) => {
    const row = await selectStream(tx.sql, opts.orgId, opts.id, true);
    if (!row) throw new AppError("not_found", `stream "${opts.id}" not found`);
    const oldView = destinationOf(row);
    const newType = dest?.view.type ?? oldView.type;
    if (patch.rotate_secret && newType !== "webhook") throw new AppError("invalid_parameter", "rotate_secret: only webhook streams have a signing secret", { field: "rotate_secret" });
    const changes: Record<string, { old?: unknown; new?: unknown }> = {};
    const sets: string[] = ["updated_at = now()"];
    const params: unknown[] = [opts.orgId, opts.id];
    const set = (col: string, value: unknown, cast = "") => {
      params.push(value);
      sets.push(`${col} = $${params.length}${cast}`);
    };
    if (patch.name !== undefined && patch.name !== row.name) {
      changes.name = { old: row.name, new: patch.name };
      set("name", patch.name);
    }
    if (patch.query !== undefined && patch.query !== row.query) {
      changes.query = { old: row.query, new: patch.query };
      set("query", patch.query);
    }
    if (dest) {
      changes.destination = { old: { ...oldView }, new: { ...dest.view } };
      set("destination_type", dest.view.type);
      set("destination", storedDestination(dest.view), "::jsonb");
      if (dest.view.type === "webhook") {
        if (oldView.type !== "webhook") secret = newWebhookSecret();
      } else set("secret_box", dest.token ? sealSecret(dest.token) : null);
    }
    if (patch.rotate_secret) secret = newWebhookSecret();
    if (secret) {
      set("secret_box", sealSecret(secret));
      changes.secret = { old: "(hidden)", new: "(rotated)" };
    }
    const wasPaused = row.status === "paused";
    if (patch.status !== undefined && (patch.status === "paused") !== wasPaused) {
      changes.status = { old: row.status, new: patch.status };
      set("status", patch.status);
      if (patch.status === "active") {
        sets.push("pause_reason = NULL, failing_since = NULL, failures = 0, next_attempt_at = now()");
      } else set("pause_reason", `paused by ${actorLabel(opts.actor)}`);
    }
    if (Object.keys(changes).length === 0) return { value: undefined, events: [] };
    if (changes.destination || changes.secret) sets.push("failing_since = NULL, failures = 0, next_attempt_at = now()");
    await tx.sql.query(`UPDATE audit_streams SET ${sets.join(", ")} WHERE org_id = $1 AND id = $2`, params as never);
    const statusOnly = Object.keys(changes).length === 1 && changes.status;
    const action = statusOnly ? (patch.status === "paused" ? "stream.paused" : "stream.resumed") : "stream.updated";
    const event: EventInput = {
      actor: opts.actor,
      action,
      resource: resourceOf(opts.id, patch.name ?? row.name),
      changes: changes as EventInput["changes"],
      ...(statusOnly && { details: { cursor_seq: Number(row.cursor_seq) } }),
    };
    return { value: undefined, events: [event] };
  });
  kickStreamWorker();
  return { ...(await reread(opts.db, opts.orgId, opts.id)), ...(secret && { secret }) };
}

/** Deletes a stream (audited as stream.deleted with its last state). */
export async function deleteStream(opts: { db: Database; orgId: string; id: string; actor: Actor }): Promise<void> {
  await withAuditedChange({ db: opts.db, orgId: opts.orgId }, async (tx) => {
    const row = await selectStream(tx.sql, opts.orgId, opts.id, true);
    if (!row) throw new AppError("not_found", `stream "${opts.id}" not found`);
    await tx.sql.query(`DELETE FROM audit_streams WHERE org_id = $1 AND id = $2`, [opts.orgId, opts.id]);
    const event: EventInput = {
      actor: opts.actor,
      action: "stream.deleted",
      resource: resourceOf(opts.id, row.name),
      changes: { name: { old: row.name }, destination: { old: { ...destinationOf(row) } }, query: { old: row.query }, status: { old: row.status } },
      details: { cursor_seq: Number(row.cursor_seq) },
    };
    return { value: undefined, events: [event] };
  });
}

/**
 * The first seq received at or after `at` (head + 1 when none): a binary search over seq by
 * received_at, which the service assigns in chain order (a few PK lookups, no scan). Seqs removed
 * by retention are skipped (the next existing one answers).
 */
async function firstSeqReceivedAt(tx: AuditTx, orgId: string, at: Date, head: number): Promise<number> {
  const probe = async (seq: number) =>
    (await tx.sql.query<{ seq: number | string; received_at: Date }>(`SELECT seq, received_at FROM audit_events WHERE org_id = $1 AND seq >= $2 ORDER BY seq LIMIT 1`, [orgId, seq]))[0];
  let lo = 1;
  let hi = head + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const row = await probe(mid);
    if (!row) hi = mid;
    else if (new Date(row.received_at).getTime() >= at.getTime()) hi = Math.min(mid, Number(row.seq));
    else lo = Number(row.seq) + 1;
  }
  return lo;
}

/**
 * Moves the cursor back (or forward) so delivery continues from `from_seq`, or from the first event
 * received at or after `from_time` (audited as stream.replayed, old/new cursor). Any
 * worker's lease is cut: a delivery in flight cannot move the cursor afterwards.
 */
export async function replayStream(opts: { db: Database; orgId: string; id: string; replay: ReplayStream; actor: Actor }): Promise<StreamJson> {
  const { replay } = opts;
  const fromTime = replay.from_time !== undefined ? parseTimeBound(replay.from_time, "from", "from_time") : undefined;
  await withAuditedChange({ db: opts.db, orgId: opts.orgId }, async (tx) => {
    const row = await selectStream(tx.sql, opts.orgId, opts.id, true);
    if (!row) throw new AppError("not_found", `stream "${opts.id}" not found`);
    const head = await headSeq(tx, opts.orgId);
    let cursor: number;
    if (replay.from_seq !== undefined) {
      if (replay.from_seq > head + 1) throw new AppError("invalid_parameter", `from_seq: ${replay.from_seq} is beyond the log (newest seq ${head})`, { field: "from_seq" });
      cursor = replay.from_seq - 1;
    } else {
      cursor = (await firstSeqReceivedAt(tx, opts.orgId, fromTime!, head)) - 1;
    }
    await tx.sql.query(
      `UPDATE audit_streams SET cursor_seq = $3, worker_id = NULL, lease_until = NULL, next_attempt_at = now(), failures = 0, failing_since = NULL, updated_at = now()
       WHERE org_id = $1 AND id = $2`,
      [opts.orgId, opts.id, cursor],
    );
    const event: EventInput = {
      actor: opts.actor,
      action: "stream.replayed",
      resource: resourceOf(opts.id, row.name),
      changes: { cursor_seq: { old: Number(row.cursor_seq), new: cursor } },
      details: replay.from_seq !== undefined ? { from_seq: replay.from_seq } : { from_time: replay.from_time! },
    };
    return { value: undefined, events: [event] };
  });
  kickStreamWorker();
  return reread(opts.db, opts.orgId, opts.id);
}
