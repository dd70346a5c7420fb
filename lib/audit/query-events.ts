import type { SqlExecutor, SqlParam } from "../db/sql";
import type { StoredEvent } from "./event-schema";

/** One filter vocabulary for every dialect; each dialect maps its own parameters onto it. */
export interface EventFilter {
  repositoryId?: string;
  /** Any of these repositories (evidence packages' repository_ids[]). */
  repositoryIds?: string[];
  /** Exact action names (any of). */
  actions?: string[];
  /** Actions starting with this text (e.g. "policy." for `policy.*`). */
  actionPrefix?: string;
  /** Actions starting with any of these texts (evidence package sections). */
  actionPrefixes?: string[];
  /** Last dotted segment of the action (AMP's `event`). */
  actionLastSegment?: string;
  /** Actor id or actor email. */
  actor?: string;
  actorId?: string;
  actorEmail?: string;
  resourceType?: string;
  resourceId?: string;
  /** Full-text search (lib/search/parse-search-query.ts builds it from the user's words). */
  textSearch?: TextSearch;
  from?: Date;
  /** Exclusive upper bound. */
  to?: Date;
}

/**
 * A `websearch_to_tsquery('simple', …)` text, optionally OR-ed with an alternative spelling (the
 * same words split at punctuation), restricted to weight A (actor) or B (details, changes).
 */
export interface TextSearch {
  query: string;
  alternative?: string;
  weight?: "a" | "b";
}

export interface EventCursor {
  timestamp: Date;
  seq: number;
}

export function buildWhere(orgId: string, f: EventFilter, alias = "e"): { where: string; params: SqlParam[]; tsquery?: string } {
  const params: SqlParam[] = [orgId];
  const parts = [`${alias}.org_id = $1`];
  const add = (sql: (p: string) => string, value: SqlParam) => {
    params.push(value);
    parts.push(sql(`$${params.length}`));
  };
  if (f.repositoryId !== undefined) add((p) => `${alias}.repository_id = ${p}`, f.repositoryId);
  if (f.repositoryIds?.length) add((p) => `${alias}.repository_id = ANY(${p}::text[])`, f.repositoryIds);
  if (f.actions?.length) add((p) => `${alias}.action = ANY(${p}::text[])`, f.actions);
  if (f.actionPrefix !== undefined) add((p) => `starts_with(${alias}.action, ${p})`, f.actionPrefix);
  if (f.actionPrefixes?.length) {
    add((p) => `EXISTS (SELECT 1 FROM unnest(${p}::text[]) AS ap(v) WHERE starts_with(${alias}.action, ap.v))`, f.actionPrefixes);
  }
  if (f.actionLastSegment !== undefined) {
    add((p) => `(${alias}.action = ${p} OR right(${alias}.action, length(${p}) + 1) = '.' || ${p})`, f.actionLastSegment);
  }
  if (f.actor !== undefined) add((p) => `(${alias}.actor_id = ${p} OR ${alias}.actor_email = ${p})`, f.actor);
  if (f.actorId !== undefined) add((p) => `${alias}.actor_id = ${p}`, f.actorId);
  if (f.actorEmail !== undefined) add((p) => `${alias}.actor_email = ${p}`, f.actorEmail);
  if (f.resourceType !== undefined) add((p) => `${alias}.resource_type = ${p}`, f.resourceType);
  if (f.resourceId !== undefined) add((p) => `${alias}.resource_id = ${p}`, f.resourceId);
  let tsquery: string | undefined;
  if (f.textSearch) {
    const t = f.textSearch;
    params.push(t.query);
    tsquery = `websearch_to_tsquery('simple', $${params.length}::text)`;
    if (t.alternative !== undefined) {
      params.push(t.alternative);
      tsquery = `(${tsquery} || websearch_to_tsquery('simple', $${params.length}::text))`;
    }
    parts.push(`${alias}.search_vector @@ ${tsquery}`);
    if (t.weight) parts.push(`ts_filter(${alias}.search_vector, '{${t.weight === "a" ? "a" : "b"}}') @@ ${tsquery}`);
  }
  if (f.from) add((p) => `${alias}.timestamp >= ${p}`, f.from);
  if (f.to) add((p) => `${alias}.timestamp < ${p}`, f.to);
  return { where: parts.join(" AND "), params, tsquery };
}

interface EventRow {
  content: string;
  hash: string;
  previous_hash: string | null;
  [k: string]: unknown;
}

export function rowToEvent(r: EventRow): StoredEvent {
  return { ...(JSON.parse(r.content) as StoredEvent), hash: r.hash, previous_hash: r.previous_hash };
}

export interface ListEventsOptions {
  sql: SqlExecutor;
  orgId: string;
  filter: EventFilter;
  limit: number;
  /** Offset paging (ComplianceAgent, AMP)… */
  offset?: number;
  /** …or keyset paging (AppSec+, the explorer): entries strictly older than the cursor. */
  after?: EventCursor;
}

/** Newest first: timestamp descending, then seq descending (a total order). */
export async function listEvents(opts: ListEventsOptions): Promise<StoredEvent[]> {
  const { where, params } = buildWhere(opts.orgId, opts.filter);
  let clause = where;
  if (opts.after) {
    params.push(opts.after.timestamp, opts.after.seq);
    clause += ` AND (e.timestamp, e.seq) < ($${params.length - 1}, $${params.length})`;
  }
  params.push(opts.limit, opts.offset ?? 0);
  const rows = await opts.sql.query<EventRow>(
    `SELECT e.content, e.hash, e.previous_hash FROM audit_events e WHERE ${clause}
     ORDER BY e.timestamp DESC, e.seq DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  return rows.map(rowToEvent);
}

export async function countEvents(opts: { sql: SqlExecutor; orgId: string; filter: EventFilter }): Promise<number> {
  const { where, params } = buildWhere(opts.orgId, opts.filter);
  const rows = await opts.sql.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM audit_events e WHERE ${where}`, params);
  return rows[0]?.n ?? 0;
}

export async function getEvent(opts: { sql: SqlExecutor; orgId: string; id: string }): Promise<StoredEvent | null> {
  const rows = await opts.sql.query<EventRow>(
    `SELECT content, hash, previous_hash FROM audit_events WHERE org_id = $1 AND id = $2`,
    [opts.orgId, opts.id],
  );
  return rows[0] ? rowToEvent(rows[0]) : null;
}
