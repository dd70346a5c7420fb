import type { SqlExecutor, SqlParam } from "../db/sql";
import type { StoredEvent } from "./event-schema";
import { resolveTree, sqlBuilder, textSearchTsquery, treeSql, type FilterNode } from "./filter-tree";

export { F, type FilterNode } from "./filter-tree";

/**
 * One filter for every API: a tree over the registry's fields (lib/audit/filter-tree.ts) plus the
 * time range, which every index ends with. Each dialect maps its own parameters onto it; the
 * explorer and log exports build `where` from the query language (parse-explorer-query.ts).
 */
export interface EventFilter {
  where?: FilterNode;
  from?: Date;
  /** Exclusive upper bound. */
  to?: Date;
  /** Full-text search with ranking (the search API: lib/search/parse-search-query.ts builds it from the user's words). */
  textSearch?: TextSearch;
}

/**
 * Full-text search (lib/search/parse-search-query.ts): `query` is web-search syntax in which words
 * with punctuation are quoted; it is split at punctuation here, exactly as the index is
 * (prisma/definitions/functions/audit_search_part_vector.sql), then read by websearch_to_tsquery('simple', …). `weight`
 * restricts every word, excluded ones included, to the actor (a) or to details and changes (b).
 */
export interface TextSearch {
  query: string;
  /** The user's words as typed: highlights use them too, to mark whole tokens. */
  original?: string;
  weight?: "a" | "b";
}

export { textSearchTsquery };

export interface EventCursor {
  timestamp: Date;
  seq: number;
}

/** The WHERE clause of a (resolved) filter over audit_events alias `alias`; `$1` is the org. */
export function buildWhere(orgId: string, f: EventFilter, alias = "e"): { where: string; params: SqlParam[]; tsquery?: string } {
  const params: SqlParam[] = [orgId];
  const b = sqlBuilder(params);
  const parts = [`${alias}.org_id = $1`];
  if (f.where) parts.push(treeSql(f.where, b, alias));
  let tsquery: string | undefined;
  if (f.textSearch) {
    const t = f.textSearch;
    tsquery = textSearchTsquery(b.param(t.query), t.weight);
    parts.push(`${alias}.search_vector @@ ${tsquery}`);
  }
  if (f.from) parts.push(`${alias}.timestamp >= ${b.param(f.from)}`);
  if (f.to) parts.push(`${alias}.timestamp < ${b.param(f.to)}`);
  return { where: parts.join(" AND "), params, tsquery };
}

interface EventRow {
  content: string;
  hash: string;
  previous_hash: string | null;
  [k: string]: unknown;
}

export function rowToEvent(r: EventRow): StoredEvent {
  // Set on the freshly parsed object, not spread into a new one: the same keys in the same order,
  // a third of the CPU (spreading 50 parsed rows was ~1 ms of a list request's server CPU).
  const e = JSON.parse(r.content) as StoredEvent;
  e.hash = r.hash;
  e.previous_hash = r.previous_hash;
  return e;
}

export interface ListEventsOptions {
  sql: SqlExecutor;
  orgId: string;
  filter: EventFilter;
  limit: number;
  /** Offset paging (ComplianceAgent, AMP)… */
  offset?: number;
  /** …or keyset paging (AppSec+, the explorer): entries strictly after the cursor in `order`. */
  after?: EventCursor;
  /** Newest first (default) or oldest first; both walk the (org, timestamp, seq) index. */
  order?: "desc" | "asc";
}

/** Newest first: timestamp descending, then seq descending (a total order); `order: "asc"` reverses it. */
export async function listEvents(opts: ListEventsOptions): Promise<StoredEvent[]> {
  const filter = await resolveFilter(opts.sql, opts.orgId, opts.filter);
  if (!filter) return [];
  const { where, params } = buildWhere(opts.orgId, filter);
  const dir = opts.order === "asc" ? "ASC" : "DESC";
  let clause = where;
  if (opts.after) {
    params.push(opts.after.timestamp, opts.after.seq);
    clause += ` AND (e.timestamp, e.seq) ${dir === "ASC" ? ">" : "<"} ($${params.length - 1}, $${params.length})`;
  }
  params.push(opts.limit, opts.offset ?? 0);
  const page = `ORDER BY e.timestamp ${dir}, e.seq ${dir} LIMIT $${params.length - 1} OFFSET $${params.length}`;
  // Deep offsets: find the page's keys first (an index-only scan skips the offset rows without
  // reading them from the table), then fetch only those rows.
  const text = (opts.offset ?? 0) > 0
    ? `SELECT e.content, e.hash, e.previous_hash
       FROM (SELECT e.seq, e.timestamp FROM audit_events e WHERE ${clause} ${page}) k
       JOIN audit_events e ON e.org_id = $1 AND e.seq = k.seq
       ORDER BY k.timestamp ${dir}, k.seq ${dir}`
    : `SELECT e.content, e.hash, e.previous_hash FROM audit_events e WHERE ${clause} ${page}`;
  const rows = await opts.sql.query<EventRow>(text, params);
  return rows.map(rowToEvent);
}

/**
 * Narrows a filter to what the indexes serve best, with a few index probes (lib/audit/filter-tree.ts
 * resolveTree: wildcards on indexed columns → concrete values, repository names → ids, actor values
 * → the arm where they occur). Null when nothing can match (nothing to list, count 0).
 */
export async function resolveFilter(sql: SqlExecutor, orgId: string, f: EventFilter): Promise<EventFilter | null> {
  if (!f.where) return f;
  const where = await resolveTree(sql, orgId, f.where);
  if (where.op === "const") {
    if (!where.value) return null;
    const { where: _w, ...rest } = f;
    return rest;
  }
  return { ...f, where };
}

/** A full exact count (tests, benches). Request paths count through lib/audit/count-events.ts. */
export async function countEvents(opts: { sql: SqlExecutor; orgId: string; filter: EventFilter }): Promise<number> {
  const filter = await resolveFilter(opts.sql, opts.orgId, opts.filter);
  if (!filter) return 0;
  const { where, params } = buildWhere(opts.orgId, filter);
  const rows = await opts.sql.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM audit_events e WHERE ${where}`, params);
  return rows[0]?.n ?? 0;
}

/**
 * The newest `limit` matching entries as a subquery (for bounded aggregates: facets, histograms):
 * `{sql, params}` where sql selects `columns` from audit_events `e`.
 */
export async function newestMatches(opts: { sql: SqlExecutor; orgId: string; filter: EventFilter; columns: string; limit: number }): Promise<{ sql: string; params: SqlParam[] } | null> {
  const filter = await resolveFilter(opts.sql, opts.orgId, opts.filter);
  if (!filter) return null;
  const { where, params } = buildWhere(opts.orgId, filter);
  params.push(opts.limit);
  return { sql: `SELECT ${opts.columns} FROM audit_events e WHERE ${where} ORDER BY e.timestamp DESC, e.seq DESC LIMIT $${params.length}`, params };
}

export async function getEvent(opts: { sql: SqlExecutor; orgId: string; id: string }): Promise<StoredEvent | null> {
  const rows = await opts.sql.query<EventRow>(
    `SELECT content, hash, previous_hash FROM audit_events WHERE org_id = $1 AND id = $2`,
    [opts.orgId, opts.id],
  );
  return rows[0] ? rowToEvent(rows[0]) : null;
}
