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
  /** Actor type: user, service_account, api_token, system (statistics' events_by_actor_type links). */
  actorType?: string;
  resourceType?: string;
  resourceId?: string;
  /** `details.framework` equals this (compliance history, SOC 2 evidence). */
  framework?: string;
  /** Full-text search (lib/search/parse-search-query.ts builds it from the user's words). */
  textSearch?: TextSearch;
  from?: Date;
  /** Exclusive upper bound. */
  to?: Date;
  /** Explorer query box (lib/audit/parse-explorer-query.ts): any of / none of these exact actions or prefixes. */
  actionAnyOf?: { exact: string[]; prefixes: string[] };
  actionNoneOf?: { exact: string[]; prefixes: string[] };
  /** Actor id or email: any of / none of. */
  actorAnyOf?: string[];
  actorNoneOf?: string[];
  /** Resource type, optionally with its id: any of / none of. */
  resourceAnyOf?: { type: string; id?: string }[];
  resourceNoneOf?: { type: string; id?: string }[];
  /** Repository id or name: any of / none of. */
  repositoryAnyOf?: string[];
  repositoryNoneOf?: string[];
  /** Repository ids to exclude (repositoryNoneOf resolved to ids; entries without a repository stay). */
  repositoryIdsExcluded?: string[];
  ipAddress?: string;
  sessionId?: string;
  requestId?: string;
}

/**
 * Full-text search (lib/search/parse-search-query.ts): `query` is web-search syntax in which words
 * with punctuation are quoted; it is split at punctuation here, exactly as the index is
 * (prisma/sql/search_vector_v4.sql), then read by websearch_to_tsquery('simple', …). `weight`
 * restricts every word, excluded ones included, to the actor (a) or to details and changes (b).
 */
export interface TextSearch {
  query: string;
  /** The user's words as typed: highlights use them too, to mark whole tokens. */
  original?: string;
  weight?: "a" | "b";
}

/**
 * SQL of the tsquery for a TextSearch whose query is in parameter `p`. A weight labels every
 * lexeme of the query (`'alice':A`), so the GIN index and the planner's statistics still apply.
 */
export function textSearchTsquery(p: string, weight?: "a" | "b"): string {
  const q = `websearch_to_tsquery('simple', regexp_replace(${p}::text, '(?!-")[^[:alnum:][:space:]"]', ' ', 'g'))`;
  if (!weight) return q;
  const label = weight === "a" ? "A" : "B";
  return `(regexp_replace((${q})::text, '''((?:[^'']|'''')*)''', '''\\1'':${label}', 'g'))::tsquery`;
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
    // LIKE ANY (prefix patterns) rather than starts_with over unnest: the planner estimates its
    // selectivity from the column's statistics and keeps the (org, timestamp, seq) index scan.
    const patterns = f.actionPrefixes.map((x) => `${x.replace(/[\\%_]/g, "\\$&")}%`);
    add((p) => `${alias}.action LIKE ANY(${p}::text[])`, patterns);
  }
  if (f.actionLastSegment !== undefined) {
    add((p) => `(${alias}.action = ${p} OR right(${alias}.action, length(${p}) + 1) = '.' || ${p})`, f.actionLastSegment);
  }
  if (f.actor !== undefined) add((p) => `(${alias}.actor_id = ${p} OR ${alias}.actor_email = ${p})`, f.actor);
  if (f.actorId !== undefined) add((p) => `${alias}.actor_id = ${p}`, f.actorId);
  if (f.actorEmail !== undefined) add((p) => `${alias}.actor_email = ${p}`, f.actorEmail);
  if (f.actorType !== undefined) add((p) => `${alias}.actor_type = ${p}`, f.actorType);
  if (f.resourceType !== undefined) add((p) => `${alias}.resource_type = ${p}`, f.resourceType);
  if (f.resourceId !== undefined) add((p) => `${alias}.resource_id = ${p}`, f.resourceId);
  if (f.framework !== undefined) add((p) => `(${alias}.content::jsonb #>> '{details,framework}') = ${p}`, f.framework);
  let tsquery: string | undefined;
  if (f.textSearch) {
    const t = f.textSearch;
    params.push(t.query);
    tsquery = textSearchTsquery(`$${params.length}`, t.weight);
    parts.push(`${alias}.search_vector @@ ${tsquery}`);
  }
  addExplorerConditions(f, alias, add);
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
  const filter = await resolveFilter(opts.sql, opts.orgId, opts.filter);
  if (!filter) return [];
  const { where, params } = buildWhere(opts.orgId, filter);
  let clause = where;
  if (opts.after) {
    params.push(opts.after.timestamp, opts.after.seq);
    clause += ` AND (e.timestamp, e.seq) < ($${params.length - 1}, $${params.length})`;
  }
  params.push(opts.limit, opts.offset ?? 0);
  const page = `ORDER BY e.timestamp DESC, e.seq DESC LIMIT $${params.length - 1} OFFSET $${params.length}`;
  // Deep offsets: find the page's keys first (an index-only scan skips the offset rows without
  // reading them from the table), then fetch only those rows.
  const text = (opts.offset ?? 0) > 0
    ? `SELECT e.content, e.hash, e.previous_hash
       FROM (SELECT e.seq, e.timestamp FROM audit_events e WHERE ${clause} ${page}) k
       JOIN audit_events e ON e.org_id = $1 AND e.seq = k.seq
       ORDER BY k.timestamp DESC, k.seq DESC`
    : `SELECT e.content, e.hash, e.previous_hash FROM audit_events e WHERE ${clause} ${page}`;
  const rows = await opts.sql.query<EventRow>(text, params);
  return rows.map(rowToEvent);
}

/**
 * Narrows a filter to what the indexes serve best, with a few index probes. Null when nothing can
 * match (nothing to list, count 0).
 * - `actionLastSegment` (AMP's `event`) becomes the org's concrete action names ending in it, found
 *   with a loose index scan (one probe per distinct action): `action = ANY(…)` then uses the action
 *   index and the planner's statistics.
 * - `actor` (id or email) becomes `actorId` or `actorEmail` when the value is only one of them in
 *   this org, so the list walks one index in order instead of OR-ing two and sorting every match.
 */
export async function resolveFilter(sql: SqlExecutor, orgId: string, f: EventFilter): Promise<EventFilter | null> {
  let out = f;
  if (out.actionLastSegment !== undefined) {
    const rows = await sql.query<{ action: string }>(
      `WITH RECURSIVE a(action) AS (
         (SELECT action FROM audit_events WHERE org_id = $1 ORDER BY action LIMIT 1)
         UNION ALL
         SELECT (SELECT e.action FROM audit_events e WHERE e.org_id = $1 AND e.action > a.action ORDER BY e.action LIMIT 1)
         FROM a WHERE a.action IS NOT NULL
       )
       SELECT action FROM a WHERE action IS NOT NULL AND (action = $2 OR right(action, length($2) + 1) = '.' || $2)`,
      [orgId, out.actionLastSegment],
    );
    let actions = rows.map((r) => r.action);
    if (out.actions?.length) actions = actions.filter((a) => out.actions!.includes(a));
    if (actions.length === 0) return null;
    out = { ...out, actionLastSegment: undefined, actions };
  }
  if (out.repositoryAnyOf?.length || out.repositoryNoneOf?.length) {
    // Ids or names → ids, so the repository index serves the condition (an OR over the two
    // columns has no index). The org's repositories are found with a loose index scan.
    const repos = await sql.query<{ id: string; name: string | null }>(
      `WITH RECURSIVE r(id) AS (
         (SELECT repository_id FROM audit_events WHERE org_id = $1 AND repository_id IS NOT NULL ORDER BY repository_id LIMIT 1)
         UNION ALL
         SELECT (SELECT e.repository_id FROM audit_events e WHERE e.org_id = $1 AND e.repository_id > r.id ORDER BY e.repository_id LIMIT 1)
         FROM r WHERE r.id IS NOT NULL
       )
       SELECT r.id, (SELECT e.repository_name FROM audit_events e WHERE e.org_id = $1 AND e.repository_id = r.id ORDER BY e.timestamp DESC LIMIT 1) AS name
       FROM r WHERE r.id IS NOT NULL LIMIT 10000`,
      [orgId],
    );
    const idsOf = (values: string[]) => repos.filter((r) => values.includes(r.id) || (r.name !== null && values.includes(r.name))).map((r) => r.id);
    const { repositoryAnyOf, repositoryNoneOf, ...rest } = out;
    out = rest;
    if (repositoryAnyOf?.length) {
      let ids = idsOf(repositoryAnyOf);
      if (out.repositoryIds?.length) ids = ids.filter((id) => out.repositoryIds!.includes(id));
      if (ids.length === 0) return null;
      out.repositoryIds = ids;
    }
    if (repositoryNoneOf?.length) {
      const ids = idsOf(repositoryNoneOf);
      if (ids.length) out.repositoryIdsExcluded = ids;
    }
  }
  if (out.actor !== undefined) {
    const [probe] = await sql.query<{ by_id: boolean; by_email: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM audit_events WHERE org_id = $1 AND actor_id = $2) AS by_id,
              EXISTS (SELECT 1 FROM audit_events WHERE org_id = $1 AND actor_email = $2) AS by_email`,
      [orgId, out.actor],
    );
    if (!probe?.by_id && !probe?.by_email) return null;
    if (probe.by_id !== probe.by_email) {
      const { actor, ...rest } = out;
      out = probe.by_id ? { ...rest, actorId: actor } : { ...rest, actorEmail: actor };
      if (f.actorId !== undefined && f.actorId !== out.actorId) return null;
      if (f.actorEmail !== undefined && f.actorEmail !== out.actorEmail) return null;
    }
  }
  return out;
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

type AddCondition = (sql: (p: string) => string, value: SqlParam) => void;

/** The explorer's any-of / none-of conditions (each a single parameterised clause). */
function addExplorerConditions(f: EventFilter, a: string, add: AddCondition): void {
  const actionClause = (s: { exact: string[]; prefixes: string[] }, negate: boolean) => {
    if (!s.exact.length && !s.prefixes.length) return;
    if (!s.prefixes.length) {
      // Exact names only: `= ANY` uses the (org, action, timestamp) index (LIKE ANY does not).
      add((p) => `${negate ? "NOT " : ""}(${a}.action = ANY(${p}::text[]))`, s.exact);
      return;
    }
    // Exact names and prefixes as one array of LIKE patterns (escaped: "_" and "%" are literal).
    const esc = (x: string) => x.replace(/[\\%_]/g, "\\$&");
    const patterns = [...s.exact.map(esc), ...s.prefixes.map((x) => `${esc(x)}%`)];
    add((p) => `${negate ? "NOT " : ""}(${a}.action LIKE ANY(${p}::text[]))`, patterns);
  };
  if (f.actionAnyOf) actionClause(f.actionAnyOf, false);
  if (f.actionNoneOf) actionClause(f.actionNoneOf, true);
  if (f.actorAnyOf?.length) add((p) => `(${a}.actor_id = ANY(${p}::text[]) OR ${a}.actor_email = ANY(${p}::text[]))`, f.actorAnyOf);
  if (f.actorNoneOf?.length) add((p) => `NOT (${a}.actor_id = ANY(${p}::text[]) OR coalesce(${a}.actor_email, '') = ANY(${p}::text[]))`, f.actorNoneOf);
  const resourceClause = (rs: { type: string; id?: string }[], negate: boolean) => {
    if (!rs.length) return;
    if (rs.every((r) => r.id === undefined)) {
      // Types only: the (org, resource_type, resource_id, timestamp) index serves it.
      add((p) => `${negate ? "NOT " : ""}(${a}.resource_type = ANY(${p}::text[]))`, rs.map((r) => r.type));
      return;
    }
    if (!negate) {
      // Index conditions first (the resource index holds type and id), then the exact pairs.
      add((p) => `${a}.resource_type = ANY(${p}::text[])`, [...new Set(rs.map((r) => r.type))]);
      if (rs.every((r) => r.id !== undefined)) add((p) => `${a}.resource_id = ANY(${p}::text[])`, [...new Set(rs.map((r) => r.id!))]);
    }
    // Encoded as type + chr(1) + id (an empty id matches any id of that type).
    add(
      (p) =>
        `${negate ? "NOT " : ""}EXISTS (SELECT 1 FROM unnest(${p}::text[]) r WHERE split_part(r, chr(1), 1) = ${a}.resource_type AND (split_part(r, chr(1), 2) = '' OR split_part(r, chr(1), 2) = ${a}.resource_id))`,
      rs.map((r) => `${r.type}\u0001${r.id ?? ""}`),
    );
  };
  if (f.resourceAnyOf) resourceClause(f.resourceAnyOf, false);
  if (f.resourceNoneOf) resourceClause(f.resourceNoneOf, true);
  if (f.repositoryAnyOf?.length) add((p) => `(${a}.repository_id = ANY(${p}::text[]) OR ${a}.repository_name = ANY(${p}::text[]))`, f.repositoryAnyOf);
  if (f.repositoryIdsExcluded?.length) add((p) => `NOT (coalesce(${a}.repository_id, '') = ANY(${p}::text[]))`, f.repositoryIdsExcluded);
  if (f.repositoryNoneOf?.length) {
    add((p) => `NOT (coalesce(${a}.repository_id, '') = ANY(${p}::text[]) OR coalesce(${a}.repository_name, '') = ANY(${p}::text[]))`, f.repositoryNoneOf);
  }
  if (f.ipAddress !== undefined) add((p) => `(${a}.content::jsonb ->> 'ip_address') = ${p}`, f.ipAddress);
  if (f.sessionId !== undefined) add((p) => `(${a}.content::jsonb ->> 'session_id') = ${p}`, f.sessionId);
  if (f.requestId !== undefined) add((p) => `(${a}.content::jsonb ->> 'request_id') = ${p}`, f.requestId);
}
