import { explorerFilter } from "../audit/explorer-filter";
import { formatTimestamp } from "../audit/format-timestamp";
import type { EventFilter } from "../audit/query-events";
import type { SqlExecutor } from "../db/sql";
import { AppError, isAppError } from "../errors";
import type { DestinationType, DestinationView, StreamJson } from "./stream-schemas";

/** A row of audit_streams with the org's head and the age of the oldest undelivered event. */
export interface StreamRow {
  org_id: string;
  id: string;
  name: string;
  destination_type: string;
  destination: unknown;
  secret_box: string | null;
  query: string;
  status: string;
  pause_reason: string | null;
  cursor_seq: number | string;
  failing_since: Date | null;
  failures: number;
  next_attempt_at: Date | null;
  worker_id: string | null;
  lease_until: Date | null;
  last_success_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  deliveries: number | string;
  events_delivered: number | string;
  rate_since: Date;
  rate_count: number;
  rate_previous: number;
  created_at: Date;
  updated_at: Date;
  created_by: string;
  [k: string]: unknown;
}

export interface StreamRowWithLag extends StreamRow {
  head_seq: number | string | null;
  next_received_at: Date | null;
  org_slug: string | null;
}

const asJson = <T>(v: unknown): T => (typeof v === "string" ? (JSON.parse(v) as T) : (v as T));

export function destinationOf(r: { destination_type: string; destination: unknown }): DestinationView {
  return { ...asJson<Omit<DestinationView, "type">>(r.destination), type: r.destination_type as DestinationType };
}

/**
 * Adds head_seq, next_received_at and org_slug to stream rows of one org: one query for the head and
 * one primary-key probe per stream (each filtered on org_id, so every statement stays on one node
 * of a distributed cluster).
 */
export async function withLag(sql: SqlExecutor, orgId: string, rows: StreamRow[]): Promise<StreamRowWithLag[]> {
  if (!rows.length) return [];
  const [head] = await sql.query<{ n: number | string | null; slug: string | null }>(
    `SELECT (SELECT max(seq) FROM audit_events WHERE org_id = $1) AS n, (SELECT slug FROM orgs WHERE id = $1) AS slug`,
    [orgId],
  );
  const out: StreamRowWithLag[] = [];
  for (const r of rows) {
    const [next] = await sql.query<{ received_at: Date }>(`SELECT received_at FROM audit_events WHERE org_id = $1 AND seq > $2 ORDER BY seq LIMIT 1`, [orgId, r.cursor_seq]);
    out.push({ ...r, head_seq: head?.n ?? null, next_received_at: next?.received_at ?? null, org_slug: head?.slug ?? null });
  }
  return out;
}

export async function selectStream(sql: SqlExecutor, orgId: string, id: string, forUpdate = false): Promise<StreamRowWithLag | null> {
  const rows = await sql.query<StreamRow>(`SELECT * FROM audit_streams WHERE org_id = $1 AND id = $2${forUpdate ? " FOR UPDATE" : ""}`, [orgId, id]);
  if (!rows[0]) return null;
  if (forUpdate) return { ...rows[0], head_seq: null, next_received_at: null, org_slug: null };
  return (await withLag(sql, orgId, rows))[0]!;
}

const ts = (d: Date | null) => (d ? formatTimestamp(new Date(d)) : null);

/** Deliveries per second: this window's count over its age, blended with the previous window's rate while it is young. */
export function deliveriesPerSecond(r: Pick<StreamRow, "rate_since" | "rate_count" | "rate_previous">, now = Date.now()): number {
  const age = Math.max(0, (now - new Date(r.rate_since).getTime()) / 1000);
  if (age > 120) return 0;
  const current = age > 0 ? r.rate_count / age : 0;
  const weight = Math.min(1, age / 10);
  return Math.round((current * weight + r.rate_previous * (1 - weight)) * 100) / 100;
}

export function streamStatus(r: Pick<StreamRow, "status" | "failing_since">): "active" | "paused" | "failing" {
  if (r.status === "paused") return "paused";
  return r.failing_since ? "failing" : "active";
}

export function toStreamJson(r: StreamRowWithLag, now = new Date()): StreamJson {
  const cursor = Number(r.cursor_seq);
  const head = Math.max(cursor, Number(r.head_seq ?? 0));
  const dest = destinationOf(r);
  return {
    id: r.id,
    name: r.name,
    destination: { ...dest, secret_set: r.secret_box !== null },
    query: r.query,
    status: streamStatus(r),
    pause_reason: r.pause_reason,
    cursor_seq: cursor,
    head_seq: head,
    lag_events: head - cursor,
    lag_seconds: r.next_received_at ? Math.max(0, Math.round((now.getTime() - new Date(r.next_received_at).getTime()) / 100) / 10) : 0,
    last_success_at: ts(r.last_success_at),
    last_error: r.last_error,
    last_error_at: ts(r.last_error_at),
    failing_since: ts(r.failing_since),
    next_attempt_at: r.status === "paused" ? null : ts(r.next_attempt_at),
    deliveries: Number(r.deliveries),
    events_delivered: Number(r.events_delivered),
    deliveries_per_second: deliveriesPerSecond(r, now.getTime()),
    created_at: ts(r.created_at)!,
    updated_at: ts(r.updated_at)!,
    created_by: r.created_by,
  };
}

/**
 * A saved query (streams, alert rules) → the shared EventFilter, through the explorer's own parser
 * (lib/audit/explorer-filter.ts), so streams understand whatever the explorer's language does.
 * Errors are 400s naming `field`.
 */
export function savedQueryFilter(query: string, field = "query"): EventFilter {
  try {
    return explorerFilter({ q: query });
  } catch (e) {
    if (isAppError(e)) throw new AppError(e.code, e.message.replace(/^q:/, `${field}:`), { field, details: e.details });
    throw e;
  }
}
