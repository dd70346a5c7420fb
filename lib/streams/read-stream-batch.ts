import { buildWhere } from "../audit/query-events";
import type { SqlExecutor, SqlParam } from "../db/sql";
import { getStoredCheckpoint } from "../integrity/get-checkpoint";
import { isAppError } from "../errors";
import { newDeliveryId, type Delivery, type StreamEvent } from "./format-delivery";
import { getStreamConfig } from "./stream-config";
import { savedQueryFilter } from "./stream-rows";

interface EventRow {
  seq: number | string;
  content: string;
  hash: string;
  previous_hash: string | null;
  [k: string]: unknown;
}

export function toStreamEvent(r: EventRow, org: string): StreamEvent {
  return { ...(JSON.parse(r.content) as Omit<StreamEvent, "org" | "hash" | "previous_hash">), org, hash: r.hash, previous_hash: r.previous_hash } as StreamEvent;
}

/** The org's newest seq (0 for an empty log). */
export async function readHeadSeq(sql: SqlExecutor, orgId: string): Promise<number> {
  const rows = await sql.query<{ n: number | string | null }>(`SELECT max(seq) AS n FROM audit_events WHERE org_id = $1`, [orgId]);
  return Number(rows[0]?.n ?? 0);
}

/**
 * The next delivery of a stream: the events after `cursor` that match its query, in seq order, at
 * most AUDIT_STREAMS_BATCH_EVENTS / _BYTES. A filtered stream scans at most AUDIT_STREAMS_SCAN_SEQS
 * seqs per step, so its cursor also moves past stretches where nothing matches (a delivery may then
 * carry no events: it is acknowledged without being sent). `seqFrom..seqTo` is the part of the log
 * the delivery covers, filtered-out seqs included, so consecutive deliveries' ranges are contiguous.
 * Null when the stream is caught up.
 */
export async function readStreamBatch(opts: {
  sql: SqlExecutor;
  orgId: string;
  orgSlug: string;
  streamId: string;
  query: string;
  cursor: number;
  maxEvents?: number;
  maxBytes?: number;
}): Promise<Delivery | null> {
  const cfg = getStreamConfig();
  const maxEvents = opts.maxEvents ?? cfg.AUDIT_STREAMS_BATCH_EVENTS;
  const maxBytes = opts.maxBytes ?? cfg.AUDIT_STREAMS_BATCH_BYTES;
  const head = await readHeadSeq(opts.sql, opts.orgId);
  if (head <= opts.cursor) return null;
  const filtered = opts.query.trim() !== "";
  const upper = filtered ? Math.min(head, opts.cursor + cfg.AUDIT_STREAMS_SCAN_SEQS) : head;
  const { where, params } = filtered ? buildWhere(opts.orgId, savedQueryFilter(opts.query)) : { where: "e.org_id = $1", params: [opts.orgId] as SqlParam[] };
  params.push(opts.cursor, upper, maxEvents);
  const n = params.length;
  const rows = await opts.sql.query<EventRow>(
    `SELECT e.seq, e.content, e.hash, e.previous_hash FROM audit_events e
     WHERE ${where} AND e.seq > $${n - 2} AND e.seq <= $${n - 1} ORDER BY e.seq LIMIT $${n}`,
    params,
  );
  const events: StreamEvent[] = [];
  let bytes = 2;
  let cut = false;
  for (const r of rows) {
    const size = r.content.length + 200;
    if (events.length > 0 && bytes + size > maxBytes) {
      cut = true;
      break;
    }
    events.push(toStreamEvent(r, opts.orgSlug));
    bytes += size;
  }
  if (events.length === maxEvents) cut = true;
  const seqTo = cut ? events[events.length - 1]!.seq : upper;
  let checkpoint: Delivery["checkpoint"];
  if (events.length) {
    try {
      const c = await getStoredCheckpoint({ sql: opts.sql, orgId: opts.orgId });
      checkpoint = { treeSize: c.treeSize, note: c.note };
    } catch (e) {
      if (!isAppError(e) || e.code !== "not_found") throw e;
    }
  }
  return { id: newDeliveryId(), streamId: opts.streamId, org: opts.orgSlug, events, seqFrom: opts.cursor + 1, seqTo: Number(seqTo), checkpoint };
}
