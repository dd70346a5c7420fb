import type { SqlExecutor } from "../db/sql";
import { EXPLORER_FACETS, contentSql, fieldSql } from "./event-fields";
import { withoutConjunctsOn } from "./filter-tree";
import { newestMatches, type EventFilter } from "./query-events";

/** Facets with their own SQL below; every other facet of the registry is a plain count of its values. */
const OTHER_FACETS = EXPLORER_FACETS.filter((f) => !["actions", "actors", "resource_types", "repositories"].includes(f.name));

export interface Facet {
  value: string;
  label?: string;
  count: number;
}

export interface EventFacets {
  actions: Facet[];
  actors: Facet[];
  resource_types: Facet[];
  repositories: Facet[];
  /** The other facets the field registry declares (lib/audit/event-fields.ts `facet`), by name (e.g. `outcomes`). */
  [facet: string]: Facet[] | number;
  /** How many of the newest matching entries the counts cover (at most FACET_SAMPLE). */
  sample: number;
}

/**
 * Facet counts cover the newest FACET_SAMPLE matching entries (walked in index order), like the
 * field summaries of log search tools: bounded work for any filter, where counting every match of
 * a broad filter reads most of the table (issue 10). The explorer says so when the total is larger.
 */
export const FACET_SAMPLE = 10_000;

/**
 * Value counts for the explorer's filter bar and autocomplete (top `limit` of each). Action counts
 * ignore the action filters themselves, so a multi-select keeps showing what else there is.
 */
export async function facetEvents(opts: { sql: SqlExecutor; orgId: string; filter: EventFilter; limit?: number }): Promise<EventFacets> {
  const limit = opts.limit ?? 50;
  const withoutActions = { ...opts.filter, where: withoutConjunctsOn(opts.filter.where, ["action"]) };
  const actionSample = await newestMatches({ sql: opts.sql, orgId: opts.orgId, filter: withoutActions, columns: "e.action", limit: FACET_SAMPLE });
  const sample = await newestMatches({
    sql: opts.sql,
    orgId: opts.orgId,
    filter: opts.filter,
    columns: [`e.actor_id, e.actor_email, e.resource_type, e.repository_id, e.repository_name, ${contentSql("actor.name")} AS actor_name`, ...OTHER_FACETS.map((f, i) => `${fieldSql(f.field)} AS f${i}`)].join(", "),
    limit: FACET_SAMPLE,
  });
  const top = `ORDER BY n DESC, value LIMIT ${Math.max(1, Math.min(500, Math.trunc(limit)))}`;
  const actions = actionSample
    ? await opts.sql.query<{ value: string; n: number }>(`SELECT s.action AS value, count(*)::int8 AS n FROM (${actionSample.sql}) s GROUP BY 1 ${top}`, actionSample.params)
    : [];
  if (!sample) return { actions: toFacets(actions), actors: [], resource_types: [], repositories: [], ...Object.fromEntries(OTHER_FACETS.map((f) => [f.name, []])), sample: 0 };
  // One pass over the sample: the three groupings, tagged by kind. The actor's display name is read
  // from the content of the sampled rows only — as a narrow column: with the whole content in the
  // sample (~700 bytes a row) the planner found a parallel Seq Scan cheaper than the index for a
  // broad filter (resource_name:Polic* at 300 000 entries).
  const rows = await opts.sql.query<{ kind: string; value: string; label: string | null; n: number; total: number }>(
    `WITH s AS MATERIALIZED (${sample.sql})
     SELECT * FROM (SELECT 'actor' AS kind, coalesce(s.actor_email, s.actor_id) AS value, max(s.actor_name) AS label, count(*)::int8 AS n, 0::int8 AS total
                    FROM s GROUP BY 2 ${top}) a
     UNION ALL SELECT * FROM (SELECT 'resource_type' AS kind, s.resource_type AS value, NULL::text AS label, count(*)::int8 AS n, 0::int8 AS total FROM s GROUP BY 2 ${top}) r
     UNION ALL SELECT * FROM (SELECT 'repository' AS kind, s.repository_id AS value, max(s.repository_name) AS label, count(*)::int8 AS n, 0::int8 AS total FROM s WHERE s.repository_id IS NOT NULL GROUP BY 2 ${top}) p
     ${OTHER_FACETS.map((f, i) => `UNION ALL SELECT * FROM (SELECT '${f.name}' AS kind, s.f${i}::text AS value, NULL::text AS label, count(*)::int8 AS n, 0::int8 AS total FROM s WHERE s.f${i} IS NOT NULL GROUP BY 2 ${top}) o${i}`).join("\n     ")}
     UNION ALL SELECT 'sample', '', NULL::text, 0::int8, count(*)::int8 FROM s`,
    sample.params,
  );
  const of = (kind: string) => toFacets(rows.filter((r) => r.kind === kind));
  return {
    actions: toFacets(actions),
    actors: of("actor"),
    resource_types: of("resource_type"),
    repositories: of("repository"),
    ...Object.fromEntries(OTHER_FACETS.map((f) => [f.name, of(f.name)])),
    sample: Number(rows.find((r) => r.kind === "sample")?.total ?? 0),
  };
}

function toFacets(rows: { value: string; label?: string | null; n: number }[]): Facet[] {
  return rows.filter((r) => r.value !== null).map((r) => ({ value: r.value, ...(r.label && r.label !== r.value && { label: r.label }), count: Number(r.n) }));
}
